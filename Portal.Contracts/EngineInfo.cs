using System.Reflection;

namespace Portal.Engine;

public static class EngineInfo
{
    /// <summary>Stored with every result so a number can be traced to the code that produced it.</summary>
    public static string Version { get; } =
        typeof(EngineInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
