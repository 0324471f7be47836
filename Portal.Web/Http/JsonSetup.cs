using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Portal.Web.Features.Accounts;

namespace Portal.Web.Http;

public static class JsonSetup
{
    /// <summary>The API's JSON: snake_case names and enums, NaN/Infinity as named literals.</summary>
    public static IServiceCollection AddPortalJson(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            o.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        });
        services.AddHttpContextAccessor();
        // Server paths and stack traces in API answers for admins only (Features/Accounts/Disclosure.cs).
        services.AddOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>().Configure<IHttpContextAccessor>((o, http) =>
            o.SerializerOptions.TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { ServerDetailsJson.Modifier(http) } });
        return services;
    }
}
