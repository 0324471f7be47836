using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace Portal.Tests.Web.Support;

/// <summary>bUnit with MudBlazor's services, loose JS interop, and a popover provider rendered first (tooltips need it).</summary>
public abstract class ComponentTestContext : BunitContext, IAsyncLifetime
{
    protected ComponentTestContext()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Render<MudPopoverProvider>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are only IAsyncDisposable: dispose the container asynchronously (xunit 2 would call Dispose).
    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();
}
