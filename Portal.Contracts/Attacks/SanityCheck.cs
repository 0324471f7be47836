namespace Portal.Engine.Attacks;

/// <summary>One check that an attack's number can be trusted (e.g. ε = 0 reproduces clean accuracy), with its measured value and limit.</summary>
public sealed record SanityCheck(string Name, bool Passed, double Value, double Limit, string Detail);
