using Bunit;
using Portal.Data.Entities;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Jobs;
using static Portal.Tests.Web.Support.WebTestData;
using Portal.Web.Progress;

namespace Portal.Tests.Web.Features.Jobs;

/// <summary>The job progress component: live bar, running accuracy, ETA, cancel, and errors with their stack.</summary>
public sealed class JobProgressTests : ComponentTestContext
{
    private static JobRecord Job(JobStatus status, int done = 0, int total = 40) => new()
    {
        Id = 5, EncoderId = 1, DatasetId = 1, Preset = "linf-4", Config = Linf(), Status = status, Done = done, Total = total, CreatedAt = When,
    };

    [Fact]
    public void A_live_message_moves_the_bar_and_shows_running_accuracy_and_eta()
    {
        var job = Job(JobStatus.Running, 4);
        var cut = Render<JobProgress>(p => p.Add(x => x.View, new JobView(job, null)));
        Assert.Equal("10", cut.Find(".job-progress").GetAttribute("data-percent"));

        var live = new JobProgressMessage(5, "running", "attacking", 30, 40, 0.9, 0.4, 125, null, null);
        cut.Render(p => p.Add(x => x.View, new JobView(job, live)));
        Assert.Equal("75", cut.Find(".job-progress").GetAttribute("data-percent"));
        Assert.Contains("30 / 40 items · attacking", cut.Find(".job-counts").TextContent);
        Assert.Equal("90.0%", cut.Find(".job-clean").TextContent);
        Assert.Equal("40.0%", cut.Find(".job-robust").TextContent);
        Assert.Equal("ETA 2 min", cut.Find(".job-eta").TextContent);
    }

    [Fact]
    public void Cancel_is_offered_only_when_allowed_and_active()
    {
        var cancelled = 0;
        var cut = Render<JobProgress>(p => p.Add(x => x.View, new JobView(Job(JobStatus.Queued), null)).Add(x => x.CanCancel, true).Add(x => x.OnCancel, () => cancelled++));
        cut.Find("button.job-cancel").Click();
        Assert.Equal(1, cancelled);

        cut.Render(p => p.Add(x => x.CanCancel, false));
        Assert.Empty(cut.FindAll("button.job-cancel"));
        cut.Render(p => p.Add(x => x.CanCancel, true).Add(x => x.View, new JobView(Job(JobStatus.Succeeded, 40), null)));
        Assert.Empty(cut.FindAll("button.job-cancel"));
        Assert.Equal("100", cut.Find(".job-progress").GetAttribute("data-percent"));
    }

    [Fact]
    public void A_failed_job_shows_its_error_and_stack()
    {
        var job = Job(JobStatus.Failed, 8);
        job.Error = "checkpoint file is missing: /data/x.ckpt";
        job.ErrorStack = "at Portal.Web.Features.Jobs.EvaluationWorker.Run()";
        var cut = Render<JobProgress>(p => p.Add(x => x.View, new JobView(job, null)).Add(x => x.ShowStack, true));
        Assert.Equal("failed", cut.Find(".job-progress").GetAttribute("data-status"));
        Assert.Contains("checkpoint file is missing: /data/x.ckpt", cut.Find(".job-error").TextContent);
        Assert.Contains("Stack trace", cut.Markup);
        cut.Render(p => p.Add(x => x.ShowStack, false));
        Assert.DoesNotContain("Stack trace", cut.Markup);
    }
}
