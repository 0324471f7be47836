using Microsoft.Extensions.Options;
using Portal.Web.Features.Accounts;
using Portal.Web.Configuration;

namespace Portal.Tests.Web.Features.Accounts;

/// <summary>The sign-in throttle on its own: limits per address and per typed name, a sliding minute, bounded memory.</summary>
public sealed class SignInThrottleTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static (SignInThrottle, Clock) Throttle(int perAddress = 20, int perAccount = 5)
    {
        var clock = new Clock();
        var o = Options.Create(new PortalOptions { Accounts = new AccountOptions { SignInsPerAddressPerMinute = perAddress, SignInsPerAccountPerMinute = perAccount } });
        return (new SignInThrottle(o, clock), clock);
    }

    [Fact]
    public void A_name_gets_five_tries_a_minute_whatever_the_address_and_the_minute_slides()
    {
        var (t, clock) = Throttle();
        for (var i = 0; i < 5; i++) Assert.Null(t.Attempt($"10.0.0.{i}", "Alice"));
        var wait = t.Attempt("10.0.0.9", " alice ");   // same name, other case and spaces, other address
        Assert.NotNull(wait);
        Assert.InRange(wait.Value.TotalSeconds, 59, 60);
        clock.Now += TimeSpan.FromSeconds(61);
        Assert.Null(t.Attempt("10.0.0.9", "alice"));
    }

    [Fact]
    public void An_address_gets_twenty_tries_a_minute_over_all_names()
    {
        var (t, _) = Throttle();
        for (var i = 0; i < 20; i++) Assert.Null(t.Attempt("203.0.113.7", $"user{i}"));
        Assert.NotNull(t.Attempt("203.0.113.7", "someone-new"));
        Assert.Null(t.Attempt("203.0.113.8", "someone-new"));
    }

    [Fact]
    public void A_flood_of_made_up_names_does_not_grow_memory_past_a_minute()
    {
        var (t, clock) = Throttle(perAddress: int.MaxValue);
        for (var i = 0; i < 5000; i++) t.Attempt("198.51.100.1", $"nobody-{i}");
        Assert.True(t.Keys > 5000);
        clock.Now += TimeSpan.FromMinutes(2);
        for (var i = 0; i < 2048; i++) t.Attempt("198.51.100.2", "same");
        Assert.True(t.Keys < 10, $"{t.Keys} keys left after the flood went idle");
    }
}
