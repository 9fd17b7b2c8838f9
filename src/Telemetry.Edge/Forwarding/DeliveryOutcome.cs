namespace Telemetry.Edge.Forwarding;

public enum DeliveryStatus
{
    /// <summary>2xx: the datacenter has the batch; the spool may forget it.</summary>
    Delivered,

    /// <summary>400 (or 413/422): the batch itself is refused; it goes to quarantine and the stream goes on.</summary>
    Rejected,

    /// <summary>413: the batch is too large for the server; the forwarder splits it.</summary>
    TooLarge,

    /// <summary>401/403 (credentials) or 404 (wrong URL, unknown database): alert and keep buffering, retry slowly.</summary>
    ConfigurationError,

    /// <summary>5xx, 429, timeouts, network errors: retry with backoff (honouring Retry-After).</summary>
    Transient,

    /// <summary>The server's certificate is not trusted or names another host: no blind retry loop, alert.</summary>
    CertificateError,
}

/// <summary>What one POST of one batch came to.</summary>
public readonly record struct DeliveryOutcome(DeliveryStatus Status, int HttpStatus, string Message, TimeSpan? RetryAfter)
{
    public static DeliveryOutcome Delivered(int httpStatus) => new(DeliveryStatus.Delivered, httpStatus, string.Empty, null);
}
