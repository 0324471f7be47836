namespace Portal.Engine.Checkpoints.Pickle;

/// <summary>
/// Nesting depth of unpickled values, kept without recursion. The unpickler records each container's depth
/// (max of its items' depths + 1) as it builds or grows it, which is O(1) per item; a container that grows after
/// it was already put inside another makes those records stale, and then <see cref="Check"/> walks the result
/// once, iteratively, before the unpickler returns it. Scalars, strings, tensors and storages have depth 0.
/// </summary>
internal sealed class PickleDepth(int limit)
{
    // Value: depth << 1 | 1 when the container has been put inside another.
    private readonly Dictionary<object, int> _info = new(ReferenceEqualityComparer.Instance);

    public int Limit { get; } = limit;
    /// <summary>A container was changed after being put inside another: recorded depths may be too low, or a cycle may exist.</summary>
    public bool Stale { get; private set; }

    public static bool IsContainer(object? o) => o is PyTuple or List<object?> or PyDict or PySet or PyObject;

    public int Of(object? o) => o is not null && _info.TryGetValue(o, out var v) ? v >> 1 : 0;

    /// <summary>A new container holding <paramref name="items"/> (or, for REDUCE/NEWOBJ results, built from them).</summary>
    public void Made(object? container, IEnumerable<object?> items)
    {
        int max = 0;
        foreach (var x in items)
        {
            max = Math.Max(max, Of(x));
            Contain(x);
        }
        Register(container, max + 1);
    }

    /// <summary>A result built from <paramref name="args"/> by REDUCE/NEWOBJ/BUILD: its depth is at most the arguments' + 1.</summary>
    public void Result(object? result, object? args)
    {
        if (!IsContainer(result) || ReferenceEquals(result, args)) return;
        var known = Of(result);
        Contain(args);
        Register(result, Math.Max(known, Of(args) + 1));
    }

    /// <summary><paramref name="target"/> (already made) gets <paramref name="item"/> added to it.</summary>
    public void Added(object target, object? item)
    {
        if (ReferenceEquals(target, item))
            throw new CheckpointFormatException($"pickle puts a {PickleText.TypeName(target)} inside itself (data refers to itself)");
        _info.TryGetValue(target, out var v);
        if ((v & 1) != 0) Stale = true;
        var depth = Math.Max(v >> 1, Of(item) + 1);
        Contain(item);
        Register(target, depth);
    }

    private void Contain(object? o)
    {
        if (!IsContainer(o)) return;
        _info.TryGetValue(o!, out var v);
        _info[o!] = v | 1;
    }

    private void Register(object? container, int depth)
    {
        if (container is null) return;
        if (depth > Limit) throw TooDeep(Limit, depth);
        _info.TryGetValue(container, out var v);
        _info[container] = depth << 1 | (v & 1);
    }

    internal static CheckpointFormatException TooDeep(int limit, int depth) =>
        new($"pickle data nests deeper than {limit} levels (reached depth {depth}; limit PickleLimits.MaxNestingDepth)");

    private static IEnumerable<object?> Children(object o)
    {
        switch (o)
        {
            case PyTuple t: foreach (var x in t.Items) yield return x; break;
            case List<object?> l: foreach (var x in l) yield return x; break;
            case PySet s: foreach (var x in s.Items) yield return x; break;
            case PyDict d:
                foreach (var kv in d) { yield return kv.Key; yield return kv.Value; }
                yield return d.State;
                break;
            case PyObject p:
                yield return p.Args;
                yield return p.State;
                break;
        }
    }

    private sealed class Frame(object node)
    {
        public readonly object Node = node;
        public readonly IEnumerator<object?> Items = Children(node).GetEnumerator();
        public int Deepest;
    }

    /// <summary>
    /// Depth of <paramref name="root"/>, walked with an explicit stack (each shared value once); refuses a value
    /// that contains itself and nesting deeper than <paramref name="limit"/>.
    /// </summary>
    public static int Check(object? root, int limit)
    {
        if (!IsContainer(root)) return 0;
        var done = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
        var onPath = new HashSet<object>(ReferenceEqualityComparer.Instance) { root! };
        var stack = new Stack<Frame>();
        stack.Push(new Frame(root!));
        while (stack.Count > 0)
        {
            var f = stack.Peek();
            if (f.Items.MoveNext())
            {
                var c = f.Items.Current;
                if (!IsContainer(c)) continue;
                if (done.TryGetValue(c!, out var d)) { f.Deepest = Math.Max(f.Deepest, d); continue; }
                if (onPath.Contains(c!))
                    throw new CheckpointFormatException($"pickle data refers to itself (a {PickleText.TypeName(c)} contains itself {stack.Count} levels down)");
                if (stack.Count >= limit) throw TooDeep(limit, stack.Count + 1);
                onPath.Add(c!);
                stack.Push(new Frame(c!));
                continue;
            }
            stack.Pop();
            var depth = f.Deepest + 1;
            if (depth + stack.Count > limit) throw TooDeep(limit, depth + stack.Count);
            done[f.Node] = depth;
            onPath.Remove(f.Node);
            if (stack.Count > 0) stack.Peek().Deepest = Math.Max(stack.Peek().Deepest, depth);
        }
        return done[root!];
    }
}
