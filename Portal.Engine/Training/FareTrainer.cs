using System.Diagnostics;
using Portal.Engine.Attacks;
using Portal.Engine.Encoders.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Portal.Engine.Training;

/// <summary>
/// FARE (Schlarmann et al., ICML 2024): min_φ E_x max_{‖δ‖∞≤ε} ‖φ(x+δ) − φ_orig(x)‖², unsupervised. Each step takes a
/// batch, embeds it with the frozen original encoder, finds δ with the inner attack (student parameters frozen
/// meanwhile), and takes one AdamW step on the batch-mean squared distance at x+δ, with the learning rate of
/// <see cref="CosineSchedule"/>. With a state folder the run saves its state every <see cref="FareOptions.StateEvery"/>
/// steps and when cancelled, and resumes from it: the resumed run ends with the same weights as an uninterrupted one
/// (bitwise on the CPU at a fixed libtorch thread count; GPU kernels may not be deterministic).
/// Mixed precision: TorchSharp 0.107 exposes no autocast, so training runs in the encoders' dtype (float32).
/// Gradient checkpointing: not available (TorchSharp has no torch.utils.checkpoint); memory grows with batch × depth.
/// </summary>
public sealed class FareTrainer : IDisposable
{
    private readonly NativeEncoder _original, _student;
    private readonly ITrainingImages _images;
    private readonly FareOptions _o;
    private readonly string? _stateDir;
    private readonly TrainingOrder _order;
    private readonly AdamW _optimizer;
    private readonly List<Parameter> _parameters;
    private readonly string _parentFingerprint;

    /// <param name="original">φ_orig, kept frozen; not modified.</param>
    /// <param name="student">φ, trained in place (start it as a copy of the original, see <see cref="TowerWeights.Clone"/>).</param>
    /// <param name="stateDir">Folder for resumable state, or null for none.</param>
    public FareTrainer(NativeEncoder original, NativeEncoder student, ITrainingImages images, FareOptions options, string? stateDir)
    {
        options.Validate();
        if (student.Head is not null || original.Head is not null)
            throw new ArgumentException("FARE fine-tunes the visual tower; load the encoder without an MLP head");
        if (!original.Tower.Spec.Equals(student.Tower.Spec) && original.Tower.Spec.SizeName != student.Tower.Spec.SizeName)
            throw new ArgumentException("the original and the student encoder must have the same architecture");
        _original = original;
        _student = student;
        _images = images;
        _o = options;
        _stateDir = stateDir;
        _order = new TrainingOrder(images.Count, options.Seed);
        _parameters = student.Tower.parameters().ToList();
        _optimizer = torch.optim.AdamW(_parameters, options.LearningRate, options.Beta1, options.Beta2, options.AdamEps, options.WeightDecay);
        _parentFingerprint = TowerWeights.Fingerprint(original);
    }

    /// <summary>Completed steps (after a resume, counted from the start of the run).</summary>
    public int Step { get; private set; }

    /// <summary>Loads the state folder's latest state if there is one. Returns whether it resumed.</summary>
    public bool TryResume()
    {
        if (_stateDir is null) return false;
        var s = FareState.TryRead(_stateDir);
        if (s is null) return false;
        if (s.ParentFingerprint != _parentFingerprint)
            throw new InvalidOperationException($"{_stateDir}: the state was trained from other original weights ({s.ParentFingerprint[..12]}…, this encoder is {_parentFingerprint[..12]}…)");
        if (s.ImagesFingerprint != _images.Fingerprint || s.ImageCount != _images.Count)
            throw new InvalidOperationException($"{_stateDir}: the state was trained on another image set ({s.ImageCount} images, fingerprint {s.ImagesFingerprint[..12]}…; now {_images.Count}, {_images.Fingerprint[..12]}…)");
        if (FareState.Serialize(s.Options) != FareState.Serialize(_o))
            throw new InvalidOperationException($"{_stateDir}: the state was made with other settings ({FareState.Serialize(s.Options)}); resume with the same settings or start a new folder");
        var folder = Path.Combine(_stateDir, s.Folder);
        TowerWeights.Load(_student, Path.Combine(folder, "model.safetensors"));
        _optimizer.load_state_dict(Path.Combine(folder, "optimizer.bin"));
        Step = s.Step;
        return true;
    }

    /// <param name="stopAtStep">Stop (without saving) once this many steps are done, keeping the full run's schedule: for prefix checks.</param>
    public FareProgress? Run(IProgress<FareProgress>? progress, CancellationToken ct, int? stopAtStep = null)
    {
        var clock = Stopwatch.StartNew();
        int startStep = Step;
        FareProgress? last = null;
        try
        {
            while (Step < Math.Min(_o.Steps, stopAtStep ?? int.MaxValue))
            {
                ct.ThrowIfCancellationRequested();
                last = TrainStep(Step, clock, startStep, ct);
                Step++;
                progress?.Report(last);
                if (_stateDir is not null && (Step % _o.StateEvery == 0 || Step == _o.Steps)) SaveState();
            }
        }
        catch (OperationCanceledException)
        {
            // The interrupted step never reached the optimizer: the weights are exactly those after Step steps.
            if (_stateDir is not null && Step > startStep) SaveState();
            throw;
        }
        return last;
    }

    private FareProgress TrainStep(int step, Stopwatch clock, int startStep, CancellationToken ct)
    {
        using var scope = torch.NewDisposeScope();
        double lr = CosineSchedule.At(step, _o.LearningRate, _o.WarmupSteps, _o.Steps);
        foreach (var g in _optimizer.ParamGroups) g.LearningRate = lr;

        var x = LoadBatch(step).to(_student.Device).to(_student.DType);
        Tensor target;
        using (torch.no_grad()) target = _original.Forward(x).detach();

        // Inner maximisation with the student frozen: only input gradients are needed.
        SetTrainable(false);
        var seed = TrainingOrder.Mix(_o.Seed, 0xA77AC4, (ulong)step);
        Tensor adv;
        if (_o.Attack == InnerAttack.Pgd)
            adv = FarePgd.Run(_student.Forward, x, target, _o.Eps, _o.InnerSteps, _o.InnerStepSize, _o.InnerMomentum, seed, ct);
        else
        {
            var keys = Enumerable.Range(0, (int)x.shape[0]).Select(i => TrainingOrder.Mix(seed, 0, (ulong)i)).ToArray();
            AttackObjective objective = (xa, idx) => new ObjectiveValue(FarePgd.SquaredDistance(_student.Forward(xa), target.index_select(0, idx)), null);
            using var r = Apgd.Run(objective, x, keys, _o.ApgdInner, ct);
            adv = r.Adversarial.detach().clone();
        }
        ct.ThrowIfCancellationRequested();

        SetTrainable(true);
        _student.Tower.train();
        Tensor loss;
        using (torch.enable_grad())
        {
            loss = FarePgd.SquaredDistance(_student.Forward(adv), target).mean();
            _optimizer.zero_grad();
            loss.backward();
        }
        _optimizer.step();
        _optimizer.zero_grad();
        SetTrainable(false);
        _student.Tower.eval();

        double clean;
        using (torch.no_grad()) clean = FarePgd.SquaredDistance(_student.Forward(x), target).mean().item<float>();
        double advDist = loss.item<float>();
        int done = step + 1 - startStep;
        var eta = TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / done * (_o.Steps - step - 1));
        return new FareProgress("training", step + 1, _o.Steps, advDist, clean, advDist, lr, clock.Elapsed, eta);
    }

    private Tensor LoadBatch(int step)
    {
        using var scope = torch.NewDisposeScope();
        var items = _order.Batch(step, _o.BatchSize);
        var list = items.Select(b =>
        {
            var t = _images.Load(b.Index);
            return _o.HorizontalFlip && b.Flip ? t.flip(2) : t;
        }).ToList();
        return torch.stack(list, 0).MoveToOuterDisposeScope();
    }

    private void SetTrainable(bool on)
    {
        foreach (var p in _parameters) p.requires_grad = on;
    }

    /// <summary>Writes the current step's folder, then points state.json at it, then removes older step folders.</summary>
    public void SaveState()
    {
        if (_stateDir is null) throw new InvalidOperationException("this trainer has no state folder");
        Directory.CreateDirectory(_stateDir);
        var name = $"step-{Step:D7}";
        var folder = Path.Combine(_stateDir, name);
        Directory.CreateDirectory(folder);
        TowerWeights.Save(_student, Path.Combine(folder, "model.safetensors"));
        var opt = Path.Combine(folder, "optimizer.bin");
        _optimizer.save_state_dict(opt + ".tmp");
        File.Move(opt + ".tmp", opt, overwrite: true);
        new FareState
        {
            Step = Step, Folder = name, Options = _o, ParentFingerprint = _parentFingerprint,
            ImagesFingerprint = _images.Fingerprint, ImageCount = _images.Count,
        }.Write(_stateDir);
        foreach (var old in Directory.EnumerateDirectories(_stateDir, "step-*"))
            if (Path.GetFileName(old) != name) Directory.Delete(old, true);
    }

    public void Dispose() => _optimizer.Dispose();
}
