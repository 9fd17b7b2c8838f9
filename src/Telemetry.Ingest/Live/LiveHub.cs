using System.Diagnostics.CodeAnalysis;
using Telemetry.Core;
using Telemetry.Ingest.Configuration;

namespace Telemetry.Ingest.Live;

/// <summary>
/// Fans accepted points out to live subscribers (the dashboards' `GET /api/live`). <see cref="Publish"/> runs on
/// the write request's thread: it never blocks or throws because of a subscriber, returns at once when nobody
/// listens, and allocates nothing in steady state (matching samples are copied into pooled arrays, one per
/// subscriber and batch). Each subscriber has a bounded queue (<see cref="LiveOptions.QueueBatches"/> batches,
/// <see cref="LiveOptions.QueueSamples"/> samples); a slow one loses its oldest batches and is told how many samples
/// it missed. A batch larger than the sample bound is cut to its newest samples.
/// </summary>
public sealed class LiveHub
{
    private readonly Lock _lock = new();
    private LiveSubscription[] _subscribers = [];
    private long _published;

    public LiveHub(LiveOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    public LiveOptions Options { get; }

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Samples handed to at least one subscriber queue since start.</summary>
    public long SamplesDelivered => Interlocked.Read(ref _published);

    /// <summary>Adds a subscriber; false when <see cref="LiveOptions.MaxSubscribers"/> are already connected.</summary>
    public bool TrySubscribe(LiveFilter filter, [NotNullWhen(true)] out LiveSubscription? subscription)
    {
        ArgumentNullException.ThrowIfNull(filter);
        lock (_lock)
        {
            if (_subscribers.Length >= Options.MaxSubscribers)
            {
                subscription = null;
                return false;
            }

            subscription = new LiveSubscription(this, filter, Options.QueueBatches, Options.QueueSamples);
            _subscribers = [.. _subscribers, subscription];
            return true;
        }
    }

    /// <summary>
    /// Offers one accepted batch of <paramref name="site"/> to every subscriber whose filter takes it. A sample whose
    /// asset path names another site is never delivered (the write path refuses those; this is the second lock).
    /// </summary>
    public void Publish(string site, ReadOnlySpan<Sample> samples)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        if (subscribers.Length == 0 || samples.IsEmpty || site is null)
        {
            return;
        }

        foreach (var subscriber in subscribers)
        {
            try
            {
                Offer(subscriber, site, samples);
            }
#pragma warning disable CA1031 // a subscriber's failure must never reach the write request
            catch (Exception)
#pragma warning restore CA1031
            {
                subscriber.Dispose();
            }
        }
    }

    internal void Remove(LiveSubscription subscription)
    {
        lock (_lock)
        {
            _subscribers = Array.FindAll(_subscribers, s => !ReferenceEquals(s, subscription));
        }
    }

    private void Offer(LiveSubscription subscriber, string site, ReadOnlySpan<Sample> samples)
    {
        var filter = subscriber.Filter;
        if (!filter.MatchesSite(site))
        {
            return;
        }

        var whole = filter.TakesWholeBatches;
        var anyTag = filter.Tag.MatchesAll;
        Sample[]? array = null;
        var count = 0;

        // A batch holds runs of one machine's samples: its name is matched once per run, not once per sample.
        string? lastMachine = null;
        var lastMachineMatched = false;
        for (var i = 0; i < samples.Length; i++)
        {
            ref readonly var sample = ref samples[i];
            var path = sample.Path;
            if (!ReferenceEquals(path.Site, site) && !string.Equals(path.Site, site, StringComparison.Ordinal))
            {
                continue;
            }

            if (!whole)
            {
                if (!string.Equals(path.Machine, lastMachine, StringComparison.Ordinal))
                {
                    lastMachine = path.Machine;
                    lastMachineMatched = filter.Machine.IsMatch(path.Machine);
                }

                if (!lastMachineMatched || (!anyTag && !filter.Tag.IsMatch(path.Tag)))
                {
                    continue;
                }
            }

            array ??= LiveBatch.Rent(samples.Length - i);
            array[count++] = sample;
        }

        if (array is null)
        {
            return;
        }

        if (subscriber.Offer(new LiveBatch(array, count)))
        {
            Interlocked.Add(ref _published, count);
        }
        else
        {
            LiveBatch.Return(array, count);
        }
    }
}
