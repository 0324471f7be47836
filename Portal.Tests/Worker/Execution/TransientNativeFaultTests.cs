using System.Runtime.InteropServices;
using Portal.Worker.Execution;

namespace Portal.Tests.Worker.Execution;

/// <summary>The worker retries a job after libtorch's Scalar-lifetime fault (and only that), a bounded number of times.</summary>
public sealed class TransientNativeFaultTests
{
    private static ExternalException Fault(string message) => new(message);

    // The two shapes seen: a freed Scalar read as an unknown type, and as a value that fails toFloat's check.
    private static readonly string[] Seen =
    [
        "Unknown scalar type.\nException raised from type at /pytorch/c10/core/Scalar.h:339 (most recent call first):",
        "Expected false to be true, but got false.\nException raised from toFloat at /pytorch/c10/core/Scalar.h:140 (most recent call first):",
    ];

    [Fact]
    public void Recognises_the_scalar_fault_and_nothing_else()
    {
        Assert.All(Seen, m => Assert.True(TransientNativeFault.Is(Fault(m))));
        Assert.False(TransientNativeFault.Is(Fault("shape '[2, 3]' is invalid for input of size 5")));
        Assert.False(TransientNativeFault.Is(new InvalidOperationException("c10/core/Scalar.h")));   // not from libtorch
    }

    [Fact]
    public void Retries_after_the_fault_and_returns_the_run_that_succeeds()
    {
        int calls = 0; var retried = new List<int>();
        var r = TransientNativeFault.Retry(() => ++calls < 3 ? throw Fault(Seen[calls - 1]) : "done", 2, (_, n) => retried.Add(n));
        Assert.Equal("done", r);
        Assert.Equal(3, calls);
        Assert.Equal([1, 2], retried);
    }

    [Fact]
    public void Gives_up_after_its_retries_and_never_retries_other_errors()
    {
        int calls = 0;
        Assert.Throws<ExternalException>(() => TransientNativeFault.Retry<int>(() => { calls++; throw Fault(Seen[0]); }, 2, (_, _) => { }));
        Assert.Equal(3, calls);
        calls = 0;
        Assert.Throws<ArgumentException>(() => TransientNativeFault.Retry<int>(() => { calls++; throw new ArgumentException("bad config"); }, 2, (_, _) => { }));
        Assert.Equal(1, calls);
    }
}
