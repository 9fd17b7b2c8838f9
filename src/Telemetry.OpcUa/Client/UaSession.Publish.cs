using System.Threading.Channels;
using Telemetry.OpcUa.Encoding;
using Telemetry.OpcUa.SecureChannel;
using Telemetry.OpcUa.Services;

namespace Telemetry.OpcUa.Client;

/// <summary>
/// The publish pipeline (OPC 10000-4 §5.13.5): several Publish requests kept outstanding, responses handled one
/// at a time in the order they arrived, acknowledgements carried by the next Publish once the handler has the values
/// safe (<see cref="IDataChangeHandler.OnNotificationMessage"/>), Republish for sequence gaps,
/// and a watchdog that reconnects when neither data nor keep-alives arrive.
/// </summary>
public sealed partial class UaSession
{
    private readonly Channel<PublishOutcome> _outcomes = Channel.CreateUnbounded<PublishOutcome>(new UnboundedChannelOptions { SingleReader = true });
    private readonly object _ackLock = new();
    private List<SubscriptionAcknowledgement> _acks = [];
    private Task _publishLoop = Task.CompletedTask;
    private ITimer? _watchdog;
    private int _publishStarted;
    private long _lastPublishTimestamp;
    private long _publishResponses;
    private long _keepAlives;
    private long _values;

    /// <summary>Publish responses handled (data and keep-alives).</summary>
    public long PublishResponseCount => Interlocked.Read(ref _publishResponses);

    public long KeepAliveCount => Interlocked.Read(ref _keepAlives);

    /// <summary>Data change values delivered to handlers.</summary>
    public long ValueCount => Interlocked.Read(ref _values);

    private readonly record struct PublishOutcome(IncomingMessage? Message, Exception? Error, SubscriptionAcknowledgement[]? Acknowledgements);

    private void EnsurePublishing()
    {
        if (Interlocked.Exchange(ref _publishStarted, 1) != 0)
        {
            _outcomes.Writer.TryWrite(default); // wake the loop: there may be a new subscription to publish for
            return;
        }

        MarkPublishAlive();
        _publishLoop = Task.Run(PublishLoopAsync);
        _watchdog = _options.TimeProvider.CreateTimer(static s => ((UaSession)s!).CheckWatchdog(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private void MarkPublishAlive() => Interlocked.Exchange(ref _lastPublishTimestamp, _options.TimeProvider.GetTimestamp());

    private async Task PublishLoopAsync()
    {
        var token = _disposing.Token;
        var dispatcher = new PublishDispatcher(this);
        var budget = new PublishRequestBudget(_options.PublishRequestCount);
        var outstanding = 0;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var channel = await WaitForChannelAsync(Timeout.InfiniteTimeSpan, token).ConfigureAwait(false);
                budget.OnSubscriptions(_subscriptions.Count);
                if (outstanding < budget.Max && !_subscriptions.IsEmpty)
                {
                    await WaitForHandlerCapacityAsync(token).ConfigureAwait(false);
                }

                while (outstanding < budget.Max && !_subscriptions.IsEmpty && !channel.IsBroken)
                {
                    SendPublish(channel);
                    outstanding++;
                }

                var outcome = await _outcomes.Reader.ReadAsync(token).ConfigureAwait(false);
                if (outcome.Message is null && outcome.Error is null)
                {
                    continue; // wake-up
                }

                outstanding--;
                if (outcome.Error is not null)
                {
                    RequeueAcknowledgements(outcome.Acknowledgements);
                    await HandlePublishErrorAsync(outcome.Error, budget, outstanding, channel, token).ConfigureAwait(false);
                    continue;
                }

                using var message = outcome.Message!;
                await HandlePublishResponseAsync(message, dispatcher, budget, outstanding, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Backpressure: no new Publish request while a handler's queue is full; the server keeps the values (its queues
    /// may overflow, which the values' Overflow bit reports). The stall is ours, so the watchdog is kept quiet.
    /// </summary>
    private async ValueTask WaitForHandlerCapacityAsync(CancellationToken token)
    {
        foreach (var pair in _subscriptions)
        {
            var wait = pair.Value.Handler.WaitForCapacityAsync(token);
            if (wait.IsCompletedSuccessfully)
            {
                continue;
            }

            var waiting = wait.AsTask();
            while (!waiting.IsCompleted)
            {
                MarkPublishAlive();
                await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(1), _options.TimeProvider, token)).ConfigureAwait(false);
                token.ThrowIfCancellationRequested();
            }

            MarkPublishAlive();
            await waiting.ConfigureAwait(false);
        }
    }

    private void SendPublish(UaSecureChannel channel)
    {
        SubscriptionAcknowledgement[] acks;
        lock (_ackLock)
        {
            acks = _acks.Count == 0 ? [] : [.. _acks];
            _acks.Clear();
        }

        var request = new PublishRequest { Acknowledgements = acks };
        var timeout = PublishTimeout();
        PrepareHeader(request, timeout);
        channel.SendWithCallback(request, timeout, (message, error) =>
        {
            if (!_outcomes.Writer.TryWrite(new PublishOutcome(message, error, acks)))
            {
                message?.Dispose();
            }
        });
    }

    private TimeSpan PublishTimeout()
    {
        var longest = TimeSpan.Zero;
        foreach (var subscription in _subscriptions.Values)
        {
            longest = subscription.KeepAliveInterval > longest ? subscription.KeepAliveInterval : longest;
        }

        return _options.RequestTimeout + (2 * longest);
    }

    private async Task HandlePublishResponseAsync(IncomingMessage message, PublishDispatcher dispatcher, PublishRequestBudget budget, int outstanding, CancellationToken token)
    {
        PublishResponseInfo info;
        await _subscriptionLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            try
            {
                info = PublishResponseDecoder.DecodePublish(message.Span, _options.Limits, dispatcher);
            }
            catch (OpcUaException ex) when (ex.StatusCode.Code is StatusCodes.BadNoSubscription or StatusCodes.BadTooManyPublishRequests
                or StatusCodes.BadSessionIdInvalid or StatusCodes.BadSessionClosed or StatusCodes.BadSessionNotActivated or StatusCodes.BadTimeout)
            {
                // A service result for the whole request: handled like a failed request.
                _subscriptionLock.Release();
                await HandlePublishErrorAsync(ex, budget, outstanding, _channel!, token).ConfigureAwait(false);
                await _subscriptionLock.WaitAsync(token).ConfigureAwait(false);
                return;
            }
            catch (OpcUaException ex)
            {
                // Malformed data: the stream can no longer be trusted. A new channel and session recover it.
                Log.PublishFailed(_logger, EndpointUrl, ex.Message);
                BreakConnection($"Publish response could not be decoded: {ex.Message}");
                return;
            }

            MarkPublishAlive();
            budget.OnAnswered();
            Interlocked.Increment(ref _publishResponses);
            Interlocked.Add(ref _values, info.ValueCount);
            if (!_subscriptions.TryGetValue(info.SubscriptionId, out var subscription))
            {
                return;
            }

            subscription.OnAvailableSequenceNumbers(info.AvailableSequenceNumbers);
            if (info.IsKeepAlive)
            {
                Interlocked.Increment(ref _keepAlives);
                subscription.OnKeepAlive(info.SequenceNumber);
            }
            else
            {
                // Acknowledged only once the handler has the values safe (for the edge: fsynced to the spool), so
                // the server keeps the message for Republish until then. A duplicate goes the same way: its values
                // were handed on before, so it is safe once everything handed on so far is.
                subscription.OnMessageHandled(info.SequenceNumber);
            }

            if (subscription.HasMissing)
            {
                await RepublishAsync(subscription, dispatcher, token).ConfigureAwait(false);
            }
        }
        finally
        {
            _subscriptionLock.Release();
        }
    }

    private async Task RepublishAsync(UaSubscription subscription, PublishDispatcher dispatcher, CancellationToken token)
    {
        foreach (var sequenceNumber in subscription.GetMissing())
        {
            var channel = _channel;
            if (channel is null || channel.IsBroken)
            {
                return; // still missing: retried after the reconnect
            }

            var request = new RepublishRequest { SubscriptionId = subscription.SubscriptionId, RetransmitSequenceNumber = sequenceNumber };
            PrepareHeader(request, _options.RequestTimeout);
            try
            {
                using var message = await channel.SendRawAsync(request, _options.RequestTimeout, token).ConfigureAwait(false);
                var values = PublishResponseDecoder.DecodeRepublish(message.Span, _options.Limits, subscription.SubscriptionId, dispatcher);
                Interlocked.Add(ref _values, values);
                subscription.CountRepublished();
                subscription.OnMessageHandled(sequenceNumber);
            }
            catch (OpcUaException ex) when (ex.StatusCode.Code == StatusCodes.BadMessageNotAvailable)
            {
                subscription.GiveUp(sequenceNumber);
                subscription.CountLost();
                Log.RepublishFailed(_logger, subscription.SubscriptionId, sequenceNumber, ex.Message);
            }
            catch (Exception ex) when (ex is OpcUaException or TimeoutException)
            {
                Log.RepublishFailed(_logger, subscription.SubscriptionId, sequenceNumber, ex.Message);
                return; // still missing: retried with the next Publish response
            }
        }
    }

    private async Task HandlePublishErrorAsync(Exception error, PublishRequestBudget budget, int outstanding, UaSecureChannel channel, CancellationToken token)
    {
        switch (error)
        {
            case OpcUaException { StatusCode.Code: StatusCodes.BadNoSubscription }:
                await Task.Delay(TimeSpan.FromMilliseconds(100), _options.TimeProvider, token).ConfigureAwait(false);
                return;
            case OpcUaException { StatusCode.Code: StatusCodes.BadTooManyPublishRequests }:
                budget.OnTooManyRequests(outstanding);
                return;
            case OpcUaException { StatusCode.Code: StatusCodes.BadSessionIdInvalid or StatusCodes.BadSessionClosed or StatusCodes.BadSessionNotActivated }:
                Log.PublishFailed(_logger, EndpointUrl, error.Message);
                BreakConnection($"The server no longer knows the session: {error.Message}");
                return;
            case TimeoutException or OpcUaException { StatusCode.Code: StatusCodes.BadTimeout }:
                return;
            default:
                if (channel.IsBroken)
                {
                    // The reconnect loop takes over; do not spin on the dead channel.
                    await Task.Delay(TimeSpan.FromMilliseconds(50), _options.TimeProvider, token).ConfigureAwait(false);
                }
                else
                {
                    Log.PublishFailed(_logger, EndpointUrl, error.Message);
                }

                return;
        }
    }

    /// <summary>Carried by the next Publish request (any thread: handlers acknowledge once their values are durable).</summary>
    internal void QueueAcknowledgement(uint subscriptionId, uint sequenceNumber)
    {
        lock (_ackLock)
        {
            _acks.Add(new SubscriptionAcknowledgement(subscriptionId, sequenceNumber));
        }
    }

    private void RequeueAcknowledgements(SubscriptionAcknowledgement[]? acks)
    {
        if (acks is { Length: > 0 })
        {
            lock (_ackLock)
            {
                _acks.AddRange(acks);
            }
        }
    }

    private void DropAcknowledgementsOfUnknownSubscriptions()
    {
        lock (_ackLock)
        {
            _acks = _acks.FindAll(a => _subscriptions.ContainsKey(a.SubscriptionId));
        }
    }

    private void CheckWatchdog()
    {
        if (_subscriptions.IsEmpty || !IsConnected || _disposed != 0)
        {
            return;
        }

        var longest = TimeSpan.Zero;
        foreach (var subscription in _subscriptions.Values)
        {
            longest = subscription.KeepAliveInterval > longest ? subscription.KeepAliveInterval : longest;
        }

        var limit = TimeSpan.FromTicks(Math.Max(3 * longest.Ticks, TimeSpan.FromSeconds(5).Ticks));
        var elapsed = _options.TimeProvider.GetElapsedTime(Interlocked.Read(ref _lastPublishTimestamp));
        if (elapsed > limit)
        {
            Log.WatchdogExpired(_logger, EndpointUrl, elapsed);
            MarkPublishAlive();
            BreakConnection($"no Publish response or keep-alive for {elapsed}");
        }
    }

    private async Task StopSubscriptionsAsync()
    {
        _watchdog?.Dispose();
        _outcomes.Writer.TryComplete();
        try
        {
            await _publishLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Routes decoded notifications to subscriptions; remembers the current one (one lookup per message).</summary>
    private sealed class PublishDispatcher(UaSession session) : INotificationVisitor
    {
        private UaSubscription? _current;
        private bool _deliver;

        public bool OnNotificationMessage(uint subscriptionId, uint sequenceNumber, DateTime publishTime)
        {
            if (!session._subscriptions.TryGetValue(subscriptionId, out _current))
            {
                _deliver = false;
                return false;
            }

            _deliver = _current.AcceptMessage(sequenceNumber);
            return _deliver;
        }

        public void OnDataChange(uint subscriptionId, uint clientHandle, in DataValue value)
        {
            if (_deliver)
            {
                _current!.Deliver(clientHandle, in value);
            }
        }

        public void OnStatusChange(uint subscriptionId, StatusCode status)
        {
            if (_deliver)
            {
                _current!.DeliverStatus(status);
            }
        }
    }
}
