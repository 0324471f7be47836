using System.Security.Cryptography;
using System.Text;

namespace Portal.Engine.Attacks;

/// <summary>
/// Random starts are drawn per item from a generator seeded by (run seed, item id, restart), so an item's attack does
/// not depend on which batch it lands in, how many items were already done, or the device — a resumed run repeats
/// the same attack exactly.
/// </summary>
public static class ItemSeed
{
    public static ulong For(int seed, string itemId, int restart = 0)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}\u001f{itemId}\u001f{restart}"));
        return BitConverter.ToUInt64(h, 0) & 0x7FFF_FFFF_FFFF_FFFFUL;
    }

    public static ulong[] For(int seed, IEnumerable<string> itemIds, int restart = 0) => itemIds.Select(id => For(seed, id, restart)).ToArray();

    /// <summary>Mixes a restart index into an item key (keys from <see cref="For(int,string,int)"/> with restart 0).</summary>
    public static ulong WithRestart(ulong key, int restart) =>
        restart == 0 ? key : (BitConverter.ToUInt64(SHA256.HashData(BitConverter.GetBytes(key ^ (0x9E3779B97F4A7C15UL * (ulong)restart))), 0) & 0x7FFF_FFFF_FFFF_FFFFUL);
}
