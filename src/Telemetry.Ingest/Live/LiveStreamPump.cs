namespace Telemetry.Ingest.Live;

/// <summary>
/// Moves one subscription's queued batches into frames (at most <see cref="MaxSamplesPerFrame"/> samples each,
/// several batches per frame when they are waiting), a drop notice before the samples that follow a loss, and a
/// heartbeat when idle. Ends when the subscription closes or <c>cancellationToken</c> fires.
/// </summary>
internal static class LiveStreamPump
{
    public const int MaxSamplesPerFrame = 2000;

    public static async Task RunAsync(LiveSubscription subscription, LiveFrameSink sink, TimeSpan heartbeat, CancellationToken cancellationToken)
    {
        var names = new LiveNameCache();
        var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = default(LiveBatch);
        var hasPending = false;
        var offset = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!hasPending && !subscription.TryRead(out pending))
                {
                    if (!idle.TryReset())
                    {
                        idle.Dispose();
                        idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    }

                    idle.CancelAfter(heartbeat);
                    bool more;
                    try
                    {
                        more = await subscription.WaitToReadAsync(idle.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        await sink.WriteHeartbeatAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    if (!more)
                    {
                        return;
                    }

                    continue;
                }

                if (!hasPending)
                {
                    hasPending = true;
                    offset = 0;
                }

                var dropped = subscription.TakeDroppedCount();
                if (dropped > 0)
                {
                    await sink.WriteDroppedAsync(dropped, cancellationToken).ConfigureAwait(false);
                }

                (hasPending, offset) = WriteFrame(sink, names, subscription, ref pending, offset);
                await sink.EndSamplesAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (hasPending)
            {
                pending.Return();
            }

            idle.Dispose();
        }
    }

    /// <summary>Writes one frame's array from the pending batch and those queued behind it; returns what is left.</summary>
    private static (bool HasPending, int Offset) WriteFrame(LiveFrameSink sink, LiveNameCache names, LiveSubscription subscription, ref LiveBatch pending, int offset)
    {
        var writer = sink.BeginSamples();
        writer.WriteStartArray();
        var written = 0;
        while (written < MaxSamplesPerFrame)
        {
            var samples = pending.Samples;
            while (offset < samples.Length && written < MaxSamplesPerFrame)
            {
                LiveJson.WriteSample(writer, samples[offset++], names);
                written++;
            }

            if (offset < samples.Length)
            {
                break;
            }

            pending.Return();
            offset = 0;
            if (!subscription.TryRead(out pending))
            {
                writer.WriteEndArray();
                return (false, 0);
            }
        }

        writer.WriteEndArray();
        return (true, offset);
    }
}
