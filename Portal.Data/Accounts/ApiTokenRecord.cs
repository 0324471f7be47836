namespace Portal.Data.Accounts;

/// <summary>
/// A personal API token. Only the SHA-256 of the token is stored: a stolen database does not give working tokens.
/// The first characters are kept so a user can tell tokens apart in the list.
/// </summary>
public sealed class ApiTokenRecord
{
    public int Id { get; set; }
    public required string UserId { get; set; }
    public PortalUser? User { get; set; }
    public required string Name { get; set; }
    /// <summary>Lower-case hex SHA-256 of the token's UTF-8 text.</summary>
    public required string Hash { get; set; }
    /// <summary>The token's first 8 characters (not enough to guess the rest).</summary>
    public required string Prefix { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}
