namespace Portal.Web.Http;

/// <summary>A request that does not fit the current state of what it names (cancel a finished job, complete an upload
/// another request is writing): answered 409 with the state, so a client can tell it from a bad request.</summary>
public sealed class StateConflictException(string message, string state) : InvalidOperationException(message)
{
    public string State { get; } = state;
}
