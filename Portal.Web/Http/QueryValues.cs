namespace Portal.Web.Http;

/// <summary>Query-string values parsed strictly: an unknown value is a 400 with the accepted ones, never "no filter".</summary>
public static class QueryValues
{
    public static TEnum? Enum<TEnum>(string? value, string name) where TEnum : struct, System.Enum
    {
        if (value == null) return null;
        // Enum.TryParse also takes numbers ("7") and names with different casing; only names are documented.
        if (System.Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed) && !value.Any(char.IsDigit)) return parsed;
        var known = string.Join(", ", System.Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()));
        throw new ArgumentException($"unknown {name} '{value}' (known: {known})");
    }
}
