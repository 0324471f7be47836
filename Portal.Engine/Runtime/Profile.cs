using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Runtime;

/// <summary>One named phase of a profiled run: total seconds and how many times it was entered.</summary>
public sealed record ProfilePhase(string Name, double Seconds, long Count);

/// <summary>
/// Where a run's time goes (`portal eval 2afc --profile`): named phases, summed over the run, in the order first seen.
/// Off unless activated: <see cref="Phase"/> then costs one AsyncLocal read. Work that runs beside the main thread
/// (the image prefetch) is recorded under its own names, so the main-thread phases still add up to the wall time.
/// On CUDA a phase waits for the device before reading the clock (kernels are asynchronous), which is why profiling
/// is opt-in: it serialises the GPU with the host.
/// </summary>
public sealed class Profile(Device? device = null)
{
    /// <summary>Ends the name of a phase that runs beside the main thread (not part of the wall-time sum).</summary>
    public const string BesideMarker = "(prefetch, beside the rest)";

    private static readonly AsyncLocal<Profile?> Ambient = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, (double Seconds, long Count)> _phases = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly bool _sync = device is { type: DeviceType.CUDA };
    private readonly Device? _device = device;

    /// <summary>Makes this profile the one <see cref="Phase"/> records into, on this flow and the tasks it starts, until disposed.</summary>
    public IDisposable Activate()
    {
        var previous = Ambient.Value;
        Ambient.Value = this;
        return new Restore(previous);
    }

    /// <summary>Times the enclosed work as <paramref name="name"/> when a profile is active; a no-op otherwise.</summary>
    public static Scope Phase(string name) => Ambient.Value is { } p ? new Scope(p, name) : default;

    public void Add(string name, double seconds, long count = 1)
    {
        lock (_gate)
        {
            if (!_phases.TryGetValue(name, out var v)) _order.Add(name);
            _phases[name] = (v.Seconds + seconds, v.Count + count);
        }
    }

    public IReadOnlyList<ProfilePhase> Phases
    {
        get { lock (_gate) return _order.Select(n => new ProfilePhase(n, _phases[n].Seconds, _phases[n].Count)).ToList(); }
    }

    private void WaitForDevice()
    {
        if (!_sync) return;
        using var probe = torch.zeros(1, device: _device);
        _ = probe.cpu().item<float>();   // a device-to-host copy waits for every queued kernel
    }

    public readonly struct Scope : IDisposable
    {
        private readonly Profile? _profile;
        private readonly string _name;
        private readonly long _start;

        internal Scope(Profile profile, string name)
        {
            _profile = profile;
            _name = name;
            profile.WaitForDevice();
            _start = Stopwatch.GetTimestamp();
        }

        public void Dispose()
        {
            if (_profile == null) return;
            _profile.WaitForDevice();
            _profile.Add(_name, Stopwatch.GetElapsedTime(_start).TotalSeconds);
        }
    }

    private sealed class Restore(Profile? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
