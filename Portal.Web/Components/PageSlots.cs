using Microsoft.AspNetCore.Components;

namespace Portal.Web.Components;

/// <summary>One feature's component on another feature's page, registered by the feature that owns the component.</summary>
public sealed record PageSlot(string Name, Type Component);

/// <summary>
/// Named places on a page where other features put their components (the FARE lineage and the reported-model link on
/// the encoder page, result cards, the FARE panel on a job page). The page renders a <see cref="PageSlotOutlet"/> with
/// the slot's parameters; the component's feature registers it in its AddX. So the page's feature need not use the
/// component's feature, which uses it back (Robustify queues jobs for encoders; the boards list encoders).
/// </summary>
public static class PageSlots
{
    /// <summary>Features/Encoders/EncoderPage.razor, below the encoder's facts. Parameters: Encoder (EncoderRecord).</summary>
    public const string EncoderPage = "encoder-page";
    /// <summary>The encoder page's "Reported as" cell. Parameters: Encoder (EncoderRecord), IsAdmin (bool).</summary>
    public const string EncoderReportedAs = "encoder-reported-as";
    /// <summary>A result's card: each result on the encoder page, the result on a job's page. Parameters: Result (ResultRecord).</summary>
    public const string ResultCard = "result-card";
    /// <summary>Features/Jobs/JobPage.razor, below the job's progress. Parameters: Job (JobRecord).</summary>
    public const string JobPage = "job-page";

    public static IServiceCollection AddPageSlot<TComponent>(this IServiceCollection services, string slot) where TComponent : IComponent =>
        services.AddSingleton(new PageSlot(slot, typeof(TComponent)));
}
