namespace Telemetry.OpcUa.Client;

/// <summary>
/// How many Publish requests the session keeps outstanding (OPC 10000-4 §5.13.5): at least the configured count, and
/// one more than the session has subscriptions, because the server answers each subscription's notifications with a
/// request of the session's pool — with fewer requests than subscriptions, each waits its turn, and a backlog (the
/// queues of a subscription taken over after a restart) drains a few thousand values per round trip. At most
/// <see cref="Ceiling"/>. A server that answers BadTooManyPublishRequests holds fewer than we sent: keep at most what it
/// still holds. That answer is often transient (subscriptions being recreated after a reconnect), so after a run of
/// answered requests the budget grows back, one request at a time, to the wanted count; otherwise the intake would
/// stay throttled for the session's life and the server's queues would overflow.
/// </summary>
internal sealed class PublishRequestBudget
{
    /// <summary>Publish responses answered in a row before one more request may be outstanding again.</summary>
    public const int RaiseAfter = 20;

    /// <summary>Most requests ever kept outstanding (the largest configurable count).</summary>
    public const int Ceiling = 20;

    private readonly int _configured;
    private int _wanted;
    private int _answeredSinceLimited;

    public PublishRequestBudget(int configured)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(configured, 1);
        _configured = configured;
        _wanted = configured;
        Max = configured;
    }

    /// <summary>Requests that may be outstanding now.</summary>
    public int Max { get; private set; }

    /// <summary>The session now holds <paramref name="subscriptions"/> subscriptions.</summary>
    public void OnSubscriptions(int subscriptions)
    {
        var wanted = Math.Clamp(subscriptions + 1, _configured, Math.Max(_configured, Ceiling));
        if (Max == _wanted || Max > wanted)
        {
            Max = wanted; // not throttled by the server: follow at once (a throttled budget grows back in OnAnswered)
        }

        _wanted = wanted;
    }

    /// <summary>The server refused a request as one too many while <paramref name="stillOutstanding"/> others wait.</summary>
    public void OnTooManyRequests(int stillOutstanding)
    {
        Max = Math.Max(1, Math.Min(Max, stillOutstanding));
        _answeredSinceLimited = 0;
    }

    /// <summary>A Publish request was answered with a response.</summary>
    public void OnAnswered()
    {
        if (Max < _wanted && ++_answeredSinceLimited >= RaiseAfter)
        {
            Max++;
            _answeredSinceLimited = 0;
        }
    }
}
