using System.Buffers;
using System.Buffers.Binary;

namespace Telemetry.OpcUa.Transport;

/// <summary>The message types of UA-TCP and UA Secure Conversation (OPC 10000-6 §7.1.2.2, §6.7.2.2).</summary>
public enum UaTcpMessageType : uint
{
    // three ASCII bytes, read as a little-endian uint24
    Hello = 'H' | ('E' << 8) | ('L' << 16),
    Acknowledge = 'A' | ('C' << 8) | ('K' << 16),
    Error = 'E' | ('R' << 8) | ('R' << 16),
    ReverseHello = 'R' | ('H' << 8) | ('E' << 16),
    Message = 'M' | ('S' << 8) | ('G' << 16),
    OpenSecureChannel = 'O' | ('P' << 8) | ('N' << 16),
    CloseSecureChannel = 'C' | ('L' << 8) | ('O' << 16),
}

/// <summary>
/// The 8-byte header in front of every UA-TCP message and secure-conversation chunk (OPC 10000-6 §7.1.2.2):
/// <code>
/// | MessageType 3 × ASCII | ChunkType 'F' final / 'C' intermediate / 'A' abort | MessageSize uint32 LE (incl. header) |
/// </code>
/// </summary>
public readonly record struct UaTcpMessageHeader(UaTcpMessageType MessageType, byte ChunkType, uint MessageSize)
{
    public const int Size = 8;

    public const byte Final = (byte)'F';

    public const byte Intermediate = (byte)'C';

    public const byte Abort = (byte)'A';

    /// <summary>False when fewer than 8 bytes are buffered (read more); the size and type are checked by the caller.</summary>
    public static bool TryRead(in ReadOnlySequence<byte> buffer, out UaTcpMessageHeader header)
    {
        if (buffer.Length < Size)
        {
            header = default;
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        buffer.Slice(0, Size).CopyTo(bytes);
        header = Read(bytes);
        return true;
    }

    public static UaTcpMessageHeader Read(ReadOnlySpan<byte> bytes) => new(
        (UaTcpMessageType)(bytes[0] | (bytes[1] << 8) | (bytes[2] << 16)),
        bytes[3],
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]));

    public void Write(Span<byte> destination)
    {
        var type = (uint)MessageType;
        destination[0] = (byte)type;
        destination[1] = (byte)(type >> 8);
        destination[2] = (byte)(type >> 16);
        destination[3] = ChunkType;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], MessageSize);
    }

    public bool IsKnownType => MessageType is UaTcpMessageType.Hello or UaTcpMessageType.Acknowledge or UaTcpMessageType.Error
        or UaTcpMessageType.ReverseHello or UaTcpMessageType.Message or UaTcpMessageType.OpenSecureChannel
        or UaTcpMessageType.CloseSecureChannel;

    public bool IsKnownChunkType => ChunkType is Final or Intermediate or Abort;

    public override string ToString()
    {
        var t = (uint)MessageType;
        return $"{(char)(byte)t}{(char)(byte)(t >> 8)}{(char)(byte)(t >> 16)}{(char)ChunkType} {MessageSize} B";
    }
}
