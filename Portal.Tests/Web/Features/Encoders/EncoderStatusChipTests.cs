using Bunit;
using Portal.Data.Entities;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Encoders;

namespace Portal.Tests.Web.Features.Encoders;

/// <summary>The status chip: the status in lower case (also as data-status, which tests and scripts read), coloured by outcome.</summary>
public sealed class EncoderStatusChipTests : ComponentTestContext
{
    [Theory]
    [InlineData(EncoderStatus.Ready, "ready", "success")]
    [InlineData(EncoderStatus.Rejected, "rejected", "error")]
    [InlineData(EncoderStatus.Validating, "validating", "info")]
    public void Names_the_status_and_colours_it_by_outcome(EncoderStatus status, string text, string colour)
    {
        var cut = Render<EncoderStatusChip>(p => p.Add(x => x.Status, status));
        var chip = cut.Find(".encoder-status");
        Assert.Equal(text, chip.GetAttribute("data-status"));
        Assert.Equal(text, chip.TextContent.Trim());
        Assert.Contains(chip.ClassList, c => c.EndsWith("-" + colour, StringComparison.Ordinal));
    }

    [Fact]
    public void Only_a_validating_encoder_gets_the_hourglass()
    {
        var validating = Render<EncoderStatusChip>(p => p.Add(x => x.Status, EncoderStatus.Validating));
        var ready = Render<EncoderStatusChip>(p => p.Add(x => x.Status, EncoderStatus.Ready));
        Assert.NotEmpty(validating.FindAll(".encoder-status svg"));
        Assert.Empty(ready.FindAll(".encoder-status svg"));
    }
}
