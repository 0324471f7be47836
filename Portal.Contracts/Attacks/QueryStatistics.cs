namespace Portal.Engine.Attacks;

/// <summary>How many model queries a query-based attack (Square) needed: over the attacked items, and over those it broke.</summary>
public sealed record QueryStatistics(int Attacked, int Broken, int Budget, double? MeanQueriesBroken, double? MedianQueriesBroken,
    int? MaxQueriesBroken, long TotalQueries);
