using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http;

namespace Portal.Web.Features.Encoders;

public partial class EncodersPage
{
    private List<EncoderPageQueries.EncoderSummary> _encoders = [];
    private string? _search;
    private System.Security.Claims.ClaimsPrincipal _user = new();
    [CascadingParameter] private Task<AuthenticationState>? AuthState { get; set; }

    [CascadingParameter] private HttpContext? HttpContext { get; set; }
    [SupplyParameterFromQuery(Name = "search")] public string? QuerySearch { get; set; }
    private bool _static;

    protected override async Task OnInitializedAsync()
    {
        _static = Portal.Web.Http.ReadCache.IsStaticRead(HttpContext);
        _user = AuthState != null ? (await AuthState).User : new();
        _encoders = await Queries.ListAsync(_user);
        if (_static) _search = string.IsNullOrWhiteSpace(QuerySearch) ? null : QuerySearch.Trim();
        else Events.OnChanged += OnEncoderChanged;
    }

    private bool Matches(EncoderPageQueries.EncoderSummary s) => string.IsNullOrWhiteSpace(_search)
        || $"{s.Encoder.DisplayName} {s.Encoder.Family} {s.Encoder.Architecture} {s.Encoder.Backbone}".Contains(_search.Trim(), StringComparison.OrdinalIgnoreCase);

    private void OnEncoderChanged(int _) => InvokeAsync(async () => { _encoders = await Queries.ListAsync(_user); StateHasChanged(); });

    public void Dispose() => Events.OnChanged -= OnEncoderChanged;
}
