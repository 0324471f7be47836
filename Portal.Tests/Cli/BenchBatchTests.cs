namespace Portal.Tests.Cli;

/// <summary>`portal bench batch`: the fit and the measured peak for a real full-size encoder, and its refusals.</summary>
public class BenchBatchTests
{
    [Fact]
    public void Prints_the_fit_the_chosen_batch_and_the_measured_peak_under_a_budget()
    {
        var r = CliRunner.Run("bench", "batch", "--arch", "vit-b32", "--budget-mib", "500", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var row = Assert.Single(r.Json.GetProperty("results").EnumerateArray());
        Assert.Equal("vit-b32", row.GetProperty("arch").GetString());
        Assert.False(row.TryGetProperty("problem", out _));   // written only when the fit failed
        Assert.Equal(400, row.GetProperty("budget_mib").GetDouble(), 3);   // 0.8 of the 500 MiB headroom
        int batch = row.GetProperty("batch").GetInt32();
        Assert.InRange(batch, 1, 40);   // ViT-B/32 at 224 takes tens of MiB per item in float32
        Assert.InRange(row.GetProperty("predicted_peak_mib").GetDouble(), 0, 400);
        Assert.True(row.GetProperty("measured_peak_mib").GetDouble() > 0);
        Assert.Contains($"batch {batch}:", row.GetProperty("description").GetString());
        Assert.Contains("vit-b32", r.Stderr);
    }

    [Theory]
    [InlineData(new[] { "--probes", "6,2" }, "at least two increasing positive sizes")]
    [InlineData(new[] { "--fraction", "1.5" }, "must be in (0, 1]")]
    [InlineData(new[] { "--budget-mib", "-4" }, "--budget-mib expects a positive integer")]
    [InlineData(new[] { "--arch", "resnet" }, "unknown --arch resnet")]
    public void Nonsense_is_refused_before_anything_is_built(string[] extra, string message)
    {
        var r = CliRunner.Run(["bench", "batch", .. extra]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
    }
}
