namespace Telemetry.Ingest.Auth;

/// <summary>
/// Slows password guessing: after <c>maxFailures</c> failed sign-ins for one user name from one client address within
/// <c>window</c>, that pair is refused until the window ends; a success clears it. Unknown user names count the same
/// as known ones (no user enumeration). Bounded: at most <c>maxEntries</c> pairs are remembered.
/// </summary>
public sealed class SignInThrottle(int maxFailures, TimeSpan window, TimeProvider time, int maxEntries = 10_000)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string User, string Client), Entry> _entries = [];

    /// <summary>How long the pair must still wait, or null when it may try.</summary>
    public TimeSpan? RetryAfter(string user, string client)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_entries.TryGetValue(Key(user, client), out var entry) || entry.Ends <= now)
            {
                return null;
            }

            return entry.Failures >= maxFailures ? entry.Ends - now : null;
        }
    }

    public void Failed(string user, string client)
    {
        var now = time.GetUtcNow();
        var key = Key(user, client);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry) && entry.Ends > now)
            {
                entry.Failures++;
                if (entry.Failures >= maxFailures)
                {
                    // Locked out: the wait runs from the failure that reached the limit.
                    entry.Ends = now + window;
                }

                return;
            }

            if (_entries.Count >= maxEntries)
            {
                Prune(now);
            }

            _entries[key] = new Entry { Failures = 1, Ends = now + window };
        }
    }

    public void Succeeded(string user, string client)
    {
        lock (_lock)
        {
            _entries.Remove(Key(user, client));
        }
    }

    private static (string, string) Key(string user, string client) => (user.ToLowerInvariant(), client);

    /// <summary>Drops ended entries; when all are still current, forgets the tenth ending soonest (memory stays bounded
    /// under a flood of fresh names; each pair is still limited while it is remembered).</summary>
    private void Prune(DateTimeOffset now)
    {
        var ended = new List<(string, string)>();
        foreach (var (k, e) in _entries)
        {
            if (e.Ends <= now)
            {
                ended.Add(k);
            }
        }

        foreach (var k in ended)
        {
            _entries.Remove(k);
        }

        if (_entries.Count >= maxEntries)
        {
            var soonest = _entries.OrderBy(kv => kv.Value.Ends).Take(Math.Max(1, maxEntries / 10)).Select(kv => kv.Key).ToList();
            foreach (var k in soonest)
            {
                _entries.Remove(k);
            }
        }
    }

    private sealed class Entry
    {
        public int Failures { get; set; }

        public DateTimeOffset Ends { get; set; }
    }
}
