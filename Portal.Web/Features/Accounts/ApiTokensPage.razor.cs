using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Portal.Web.Features.Accounts;

public partial class ApiTokensPage
{
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;
    private List<Portal.Data.Accounts.ApiTokenRecord> _tokens = [];
    private string? _name, _created, _error;
    private string _userId = "";

    protected override async Task OnInitializedAsync()
    {
        _userId = (await AuthState).User.UserId() ?? "";
        await Reload();
    }

    private async Task Reload() => _tokens = await Tokens.ListAsync(_userId, CancellationToken.None);

    private async Task Create()
    {
        _error = null;
        try
        {
            (_, _created) = await Tokens.CreateAsync(_userId, _name ?? "", CancellationToken.None);
            _name = null;
        }
        catch (ArgumentException e) { _error = e.Message; }
        await Reload();
    }

    private async Task Revoke(int id)
    {
        await Tokens.RevokeAsync(_userId, id, CancellationToken.None);
        _created = null;
        await Reload();
    }
}
