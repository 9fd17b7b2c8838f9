using Telemetry.OpcUa.Client;

namespace Telemetry.Edge.OpcUa;

/// <summary>
/// Crash resume: after subscribing (and after every new session) the source saves its subscriptions and items, and
/// after every acknowledgement to the PLC the sequence numbers acknowledged through (<see cref="OpcUaResumeStore"/>).
/// A source started after a crash takes the old session's subscriptions over from its new session and republishes the
/// messages the PLC still holds beyond the acknowledged ones, so nothing the PLC kept is lost. When the PLC no longer
/// has them (the old session timed out, the PLC restarted) it subscribes anew and says so once.
/// </summary>
public sealed partial class OpcUaSource
{
    private async Task<UaResumeResult?> TryResumeAsync(UaSession session, IReadOnlyList<MonitoredItemOptions> items, SubscriptionOptions options, OpcUaSampleWriter writer, CancellationToken cancellationToken)
    {
        if (_resume is null)
        {
            return null;
        }

        var (state, problem) = _resume.Load(_options.EndpointUrl);
        if (problem is not null)
        {
            Log.ResumeStateUnreadable(_logger, Name, problem);
        }

        if (state is null)
        {
            return null;
        }

        var result = await session.ResumeAsync(state, items, options, writer, cancellationToken).ConfigureAwait(false);
        if (result.IsResumed)
        {
            Log.Resumed(_logger, Name, _options.EndpointUrl, result.Resumed.Count, state.Subscriptions.Count, state.SessionId, result.RepublishedMessages, result.LostMessages, result.Remaining.Count);
            return result;
        }

        Log.ResumeNotPossible(_logger, Name, _options.EndpointUrl, state.SessionId, result.Status.ToString());
        return null;
    }

    private void SaveResumeState(UaSession session)
    {
        if (_resume is null)
        {
            return;
        }

        try
        {
            _resume.Save(session.CaptureResumeState());
            Volatile.Write(ref _resumeSaveFailed, 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ReportSaveFailure(ex);
        }
    }

    /// <summary>On the writer loop, after the spool made messages durable and they were acknowledged.</summary>
    private void SaveAcknowledged()
    {
        if (_resume is null || Session is not { } session)
        {
            return;
        }

        try
        {
            _resume.SaveAcknowledged(session.CaptureAcknowledged());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ReportSaveFailure(ex);
        }
    }

    private void DeleteResumeState()
    {
        try
        {
            _resume?.Delete();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ReportSaveFailure(ex);
        }
    }

    private void ReportSaveFailure(Exception ex)
    {
        if (Interlocked.Exchange(ref _resumeSaveFailed, 1) == 0)
        {
            Log.ResumeStateSaveFailed(_logger, Name, _resume!.SessionPath, ex.Message);
        }
    }
}
