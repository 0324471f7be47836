using System.Diagnostics;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;
using Portal.Web.Dispatch;

namespace Portal.Worker.Validation;

/// <summary>
/// Loads a TorchScript checkpoint once in a child process (<c>Portal.Cli inspect --allow-torchscript</c>, shipped next
/// to the portal) before the portal loads it itself. libtorch reports some scripts — one that calls an operator it
/// does not know, for instance — by throwing a C++ exception through TorchSharp's native boundary, which ends the
/// process: in the child that kills only the probe, and the upload is rejected with the reason instead of taking the
/// server (and every running job) down.
/// </summary>
public sealed class TorchScriptProbe(IOptions<PortalOptions> options, ILogger<TorchScriptProbe> log)
{
    /// <summary>Long enough for a large model's first load and one forward pass on a CPU.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(15);

    /// <summary>Throws <see cref="InvalidDataException"/> with the reason when the module does not load in the child.</summary>
    public void Check(string checkpoint)
    {
        ProcessStartInfo psi;
        try { psi = WorkerProcessLaunch.Cli(options.Value.Workers.Command, ["inspect", "--checkpoint", checkpoint, "--allow-torchscript", "--device", options.Value.Worker.Device]).StartInfo(); }
        catch (FileNotFoundException e) { throw new InvalidDataException($"the TorchScript probe is missing ({e.Message}); TorchScript checkpoints are not loaded without it"); }

        using var child = Process.Start(psi) ?? throw new InvalidOperationException($"could not start the TorchScript probe {psi.FileName}");
        // Both pipes are drained while waiting (a full pipe would block the child); only stderr is read.
        _ = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        if (!child.WaitForExit(Timeout))
        {
            try { child.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new InvalidDataException($"the TorchScript module did not finish loading within {Timeout.TotalMinutes:0} minutes in the probe process; the portal did not load it");
        }
        child.WaitForExit();
        if (child.ExitCode == 0) return;
        var err = stderr.Result;
        var lines = err.Split('\n').Select(l => l.Trim()).ToList();

        // The CLI reports every managed failure as one "error: …" line (exit 1/2); anything else is a crash.
        var managed = lines.LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal));
        if (managed != null && child.ExitCode is 1 or 2) throw new InvalidDataException(managed["error: ".Length..]);
        var cause = CrashCause(lines);
        log.LogWarning("TorchScript probe of {Path} ended with exit code {Code}: {Stderr}", checkpoint, child.ExitCode, err);
        throw new InvalidDataException(
            $"libtorch crashed while loading this TorchScript module (probe process exit code {child.ExitCode}" +
            (cause is null ? ")" : $": {Truncate(cause, 300)})") + "; the portal did not load it. Check that the module loads with torch.jit.load in the PyTorch version it was saved with.");
    }

    /// <summary>The C++ exception's message (the text after "what():", else its first line), or the first line of stderr.</summary>
    internal static string? CrashCause(List<string> lines)
    {
        int what = lines.FindIndex(l => l.Contains("what():", StringComparison.Ordinal));
        if (what >= 0)
        {
            var rest = lines[what][(lines[what].IndexOf("what():", StringComparison.Ordinal) + "what():".Length)..].Trim();
            if (rest.Length > 0) return rest;
            var next = lines.Skip(what + 1).FirstOrDefault(l => l.Length > 0);
            if (next != null) return next;
        }
        return lines.FirstOrDefault(l => l.Length > 0);
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}
