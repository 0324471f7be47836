
namespace Portal.Engine.TwoAfc;

/// <summary>What a dataset reader found: the items of the requested split and every item it could not use, by path.</summary>
public sealed record TwoAfcDatasetLoad(string Name, string Format, string Split, IReadOnlyList<TwoAfcItem> Items, IReadOnlyList<BadItem> Bad);
