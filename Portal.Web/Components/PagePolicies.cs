using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Portal.Web.Features.Accounts;

namespace Portal.Web.Components;

/// <summary>
/// Which pages need a role. Here, beside the router (Routes.razor), not in Features/Accounts: the list names other
/// features' pages, and Accounts is used by every feature, so it must not use them back.
/// </summary>
public static class PagePolicies
{
    /// <summary>
    /// Pages that need a role, by component type: the page rules sit here, in the shell that routes to every feature's
    /// pages, so a feature page needs no attribute of its own. Pages may also carry [Authorize(Policy = ...)] themselves
    /// (the API tokens page does).
    /// </summary>
    public static readonly IReadOnlyDictionary<Type, string> Pages = new Dictionary<Type, string>
    {
        // Upload/register a checkpoint and submit evaluations.
        [typeof(Features.Submit.SubmitPage)] = Policies.Researcher,
    };

    public static string? PolicyFor(Type? page) => page != null && Pages.TryGetValue(page, out var p) ? p : null;

    /// <summary>Full page loads of the pages in <see cref="Pages"/> go through the authorization middleware (redirect to sign-in).</summary>
    public static RazorComponentsEndpointConventionBuilder RequirePagePolicies(this RazorComponentsEndpointConventionBuilder builder)
    {
        builder.Add(endpoint =>
        {
            if (PolicyFor(endpoint.Metadata.OfType<ComponentTypeMetadata>().FirstOrDefault()?.Type) is string policy)
                endpoint.Metadata.Add(new AuthorizeAttribute(policy));
        });
        return builder;
    }
}
