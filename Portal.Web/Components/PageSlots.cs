using Microsoft.AspNetCore.Components;

namespace Portal.Web.Components;

/// <summary>One feature's component on another feature's page, registered by the feature that owns the component.</summary>
public sealed record PageSlot(string Name, Type Component, string Parameter);

/// <summary>
/// Named places on a page where other features put their cards (FARE lineage on the encoder page, the FARE panel on a job
/// page). The page renders a <see cref="PageSlotOutlet"/>; the card's feature registers its component in its AddX. So the
/// page's feature need not use the card's, which uses it back (Robustify queues jobs for encoders).
/// </summary>
public static class PageSlots
{
    /// <summary>Features/Encoders/EncoderPage.razor, below the encoder's facts; the parameter gets the EncoderRecord.</summary>
    public const string EncoderPage = "encoder-page";
    /// <summary>Features/Jobs/JobPage.razor, below the job's progress; the parameter gets the JobRecord.</summary>
    public const string JobPage = "job-page";
    /// <summary>Features/Jobs/JobPage.razor, under "Result": the parameter gets the job's ResultRecord.</summary>
    public const string JobResult = "job-result";

    public static IServiceCollection AddPageSlot<TComponent>(this IServiceCollection services, string slot, string parameter)
        where TComponent : IComponent =>
        services.AddSingleton(new PageSlot(slot, typeof(TComponent), parameter));
}
