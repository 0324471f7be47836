using Microsoft.Data.Sqlite;

namespace Portal.Web.Http;

/// <summary>
/// Failures of the portal's own storage, told apart from bad requests: a full disk answers 507 (the client can retry
/// later, nothing was half-written), a database that cannot be read or written 503. Used by the API's error mapping and
/// the error page middleware, so no such failure surfaces as a generic 500.
/// </summary>
public static class StorageFaults
{
    private const int Enospc = 28, SqliteFull = 13, SqliteIoErr = 10, SqliteCorrupt = 11, SqliteNotADb = 26, SqliteBusy = 5, SqliteLocked = 6;

    public static int? Status(Exception e)
    {
        for (var x = e; x != null; x = x.InnerException)
        {
            switch (x)
            {
                case SqliteException { SqliteErrorCode: SqliteFull }: return StatusCodes.Status507InsufficientStorage;
                case SqliteException { SqliteErrorCode: SqliteIoErr or SqliteCorrupt or SqliteNotADb or SqliteBusy or SqliteLocked }: return StatusCodes.Status503ServiceUnavailable;
                case IOException io when (io.HResult & 0xFFFF) == Enospc || io.Message.Contains("No space left on device", StringComparison.Ordinal): return StatusCodes.Status507InsufficientStorage;
            }
        }
        return null;
    }

    public static string Message(int status) => status == StatusCodes.Status507InsufficientStorage
        ? "the portal's disk is full: nothing was stored; try again once an operator has made room"
        : "the portal's database is unavailable right now: nothing was stored; try again in a moment";
}
