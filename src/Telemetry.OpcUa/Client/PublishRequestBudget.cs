namespace Telemetry.OpcUa.Client;

/// <summary>
/// How many Publish requests the session keeps outstanding (OPC 10000-4 §5.13.5). A server that answers
/// BadTooManyPublishRequests holds fewer than we sent: keep at most what it still holds. That answer is often
/// transient (subscriptions being recreated after a reconnect), so after a run of answered requests the budget grows
/// back, one request at a time, to the configured count; otherwise the intake would stay throttled for the session's
/// life and the server's queues would overflow.
/// </summary>
internal sealed class PublishRequestBudget
{
    /// <summary>Publish responses answered in a row before one more request may be outstanding again.</summary>
    public const int RaiseAfter = 20;

    private readonly int _configured;
    private int _answeredSinceLimited;

    public PublishRequestBudget(int configured)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(configured, 1);
        _configured = configured;
        Max = configured;
    }

    /// <summary>Requests that may be outstanding now.</summary>
    public int Max { get; private set; }

    /// <summary>The server refused a request as one too many while <paramref name="stillOutstanding"/> others wait.</summary>
    public void OnTooManyRequests(int stillOutstanding)
    {
        Max = Math.Max(1, Math.Min(Max, stillOutstanding));
        _answeredSinceLimited = 0;
    }

    /// <summary>A Publish request was answered with a response.</summary>
    public void OnAnswered()
    {
        if (Max < _configured && ++_answeredSinceLimited >= RaiseAfter)
        {
            Max++;
            _answeredSinceLimited = 0;
        }
    }
}
