namespace Portal.Engine.Demo.World;

/// <summary>
/// The object classes of the demo world. Each scene holds one main object of its class; <see cref="Hazard"/> is a
/// yellow warning triangle, the class a detection benchmark looks for. Retrieval uses all classes.
/// </summary>
public static class WorldClasses
{
    public static readonly string[] Names = ["disc", "square", "triangle", "ring", "cross", "stripes", "hazard"];
    public const int Hazard = 6;
    public static int Count => Names.Length;
}
