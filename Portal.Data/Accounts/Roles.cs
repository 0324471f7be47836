namespace Portal.Data.Accounts;

/// <summary>The portal's two roles. An admin can do everything a researcher can.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Researcher = "researcher";

    public static readonly IReadOnlyList<string> All = [Admin, Researcher];

    public static bool IsKnown(string role) => All.Contains(role);
}
