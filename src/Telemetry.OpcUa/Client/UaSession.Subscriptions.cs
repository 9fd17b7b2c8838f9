namespace Telemetry.OpcUa.Client;

public sealed partial class UaSession
{
    private Task StopSubscriptionsAsync() => _disposed < 0 ? Task.FromCanceled(default) : Task.CompletedTask;

    private Task RestoreSubscriptionsAsync(bool reactivated, CancellationToken cancellationToken) => _disposed < 0 || reactivated ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;
}
