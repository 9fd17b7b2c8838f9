using System.Diagnostics.CodeAnalysis;
using Telemetry.OpcUa.Encoding;

namespace Telemetry.OpcUa;

/// <summary>
/// The one exception type of the OPC UA client (DESIGN.md §8): carries the <see cref="Encoding.StatusCode"/> that
/// says what went wrong (Bad_DecodingError, Bad_Timeout, Bad_SecurityPolicyRejected, …).
/// </summary>
public sealed class OpcUaException : Exception
{
    public OpcUaException()
        : this(new StatusCode(StatusCodes.Bad), "OPC UA operation failed.")
    {
    }

    public OpcUaException(string message)
        : this(new StatusCode(StatusCodes.Bad), message)
    {
    }

    public OpcUaException(string message, Exception innerException)
        : this(new StatusCode(StatusCodes.Bad), message, innerException)
    {
    }

    public OpcUaException(StatusCode statusCode, string message, Exception? innerException = null)
        : base($"{statusCode.Name}: {message}", innerException)
    {
        StatusCode = statusCode;
    }

    public StatusCode StatusCode { get; }

    /// <summary>True when retrying (on a new channel or session) may succeed: communication and timeout faults.</summary>
    public bool IsTransient => StatusCode.Code switch
    {
        StatusCodes.BadTimeout or StatusCodes.BadCommunicationError or StatusCodes.BadConnectionClosed
            or StatusCodes.BadSecureChannelClosed or StatusCodes.BadConnectionRejected or StatusCodes.BadServerHalted
            or StatusCodes.BadNotConnected or StatusCodes.BadSessionIdInvalid or StatusCodes.BadSessionClosed
            or StatusCodes.BadSecureChannelIdInvalid or StatusCodes.BadTooManySessions or StatusCodes.BadServerNotConnected
            or StatusCodes.BadRequestInterrupted or StatusCodes.BadTcpInternalError or StatusCodes.BadTooManyOperations
            or StatusCodes.BadResourceUnavailable or StatusCodes.BadDecodingError or StatusCodes.BadTcpMessageTooLarge
            or StatusCodes.BadEncodingLimitsExceeded or StatusCodes.BadRequestTooLarge or StatusCodes.BadResponseTooLarge
            or StatusCodes.BadTcpMessageTypeInvalid or StatusCodes.BadSecurityChecksFailed => true,
        _ => false,
    };

    [DoesNotReturn]
    internal static void Throw(uint code, string message) => throw new OpcUaException(new StatusCode(code), message);

    [DoesNotReturn]
    internal static void ThrowDecoding(string message) => throw new OpcUaException(new StatusCode(StatusCodes.BadDecodingError), message);

    [DoesNotReturn]
    internal static void ThrowLimit(string what, long length, long limit) =>
        throw new OpcUaException(
            new StatusCode(StatusCodes.BadEncodingLimitsExceeded),
            $"{what} of {length} exceeds the limit of {limit} (UaLimits).");
}
