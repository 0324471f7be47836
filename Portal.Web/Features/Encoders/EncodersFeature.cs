using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Portal.Web.Features.Encoders;

/// <summary>Encoders: the registry, uploads (single-shot and resumable), imports by URL or hub id, variants, and the encoder pages and API.</summary>
public static class EncodersFeature
{
    public static IServiceCollection AddEncoders(this IServiceCollection services)
    {
        services.AddSingleton<EncoderEvents>();
        services.AddSingleton<ServerFiles>();
        services.AddSingleton<EncoderRegistry>();
        services.AddSingleton<CheckpointImports>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ResumableUploads>();
        services.AddSingleton<EncoderPageQueries>();
        services.AddSingleton<EncoderVariants>();
        services.AddSingleton<DemoEncoders>();
        services.AddSingleton<EncoderDeletion>();
        return services;
    }

    public static IEndpointRouteBuilder MapEncoders(this IEndpointRouteBuilder app)
    {
        EncodersApi.Map(app);
        return app;
    }
}
