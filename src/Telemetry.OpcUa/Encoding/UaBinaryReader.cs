using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Telemetry.OpcUa.Encoding;

/// <summary>
/// Decodes the OPC UA Binary encoding (OPC 10000-6 §5.2) from one contiguous message body. The transport frames
/// messages by their header length, so inside a body running out of bytes is malformed: every read throws
/// <see cref="OpcUaException"/> with Bad_DecodingError (truncated or invalid) or Bad_EncodingLimitsExceeded (a
/// length above <see cref="UaLimits"/>), checked before anything is allocated. Never another exception type.
/// </summary>
public ref partial struct UaBinaryReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly UaLimits _limits;
    private int _position;
    private int _depth;

    public UaBinaryReader(ReadOnlySpan<byte> buffer, UaLimits? limits = null)
    {
        _buffer = buffer;
        _limits = limits ?? UaLimits.Default;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly UaLimits Limits => _limits;

    public readonly ReadOnlySpan<byte> RemainingSpan => _buffer[_position..];

    // §5.2.2.1 Boolean: one byte, non-zero is true.
    public bool ReadBoolean() => Take(1)[0] != 0;

    // §5.2.2.2 Integer: little-endian two's complement.
    public sbyte ReadSByte() => (sbyte)Take(1)[0];

    public byte ReadByte() => Take(1)[0];

    public short ReadInt16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    // §5.2.2.3 Floating point: IEEE 754, little-endian.
    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public StatusCode ReadStatusCode() => new(ReadUInt32());

    /// <summary>
    /// §5.2.2.5 DateTime: Int64 count of 100 ns since 1601-01-01 UTC. 0 (or less) is DateTime.MinValue, values
    /// at or beyond DateTime.MaxValue (Int64.MaxValue) are DateTime.MaxValue.
    /// </summary>
    public DateTime ReadDateTime() => UaDateTime.FromUaTicks(ReadInt64());

    /// <summary>
    /// §5.2.2.6 Guid: 16 bytes.
    /// <code>
    /// | Data1 uint32 LE | Data2 uint16 LE | Data3 uint16 LE | Data4 byte[8] |
    /// </code>
    /// </summary>
    public Guid ReadGuid() => new(Take(16));

    /// <summary>§5.2.2.4 String: Int32 byte length (-1 = null) then UTF-8 bytes.</summary>
    public string? ReadString()
    {
        var length = ReadInt32();
        if (length == -1)
        {
            return null;
        }

        CheckLength(length, _limits.MaxStringLength, "String length");
        return length == 0 ? string.Empty : System.Text.Encoding.UTF8.GetString(Take(length));
    }

    /// <summary>§5.2.2.7 ByteString: Int32 length (-1 = null) then the bytes.</summary>
    public byte[]? ReadByteString()
    {
        var length = ReadInt32();
        if (length == -1)
        {
            return null;
        }

        CheckLength(length, _limits.MaxByteStringLength, "ByteString length");
        return length == 0 ? [] : Take(length).ToArray();
    }

    /// <summary>A ByteString as a slice of the buffer (no copy); empty for null.</summary>
    public ReadOnlySpan<byte> ReadByteStringSpan()
    {
        var length = ReadInt32();
        if (length == -1)
        {
            return default;
        }

        CheckLength(length, _limits.MaxByteStringLength, "ByteString length");
        return Take(length);
    }

    /// <summary>§5.2.2.8 XmlElement: encoded as a String of UTF-8 XML.</summary>
    public string? ReadXmlElement() => ReadString();

    /// <summary>Skips <paramref name="count"/> bytes (Bad_DecodingError if they are not there).</summary>
    public void Skip(int count) => Take(count);

    /// <summary>
    /// Reads an array length (§5.2.5): Int32, -1 = null (returned as -1). Checked against MaxArrayLength and
    /// against the bytes left (every element takes at least <paramref name="minElementSize"/> bytes) before the
    /// caller allocates.
    /// </summary>
    public int ReadArrayLength(int minElementSize = 1)
    {
        var length = ReadInt32();
        if (length == -1)
        {
            return -1;
        }

        if (length < 0)
        {
            OpcUaException.ThrowDecoding($"Array length {length} at offset {_position - 4} is negative.");
        }

        if (length > _limits.MaxArrayLength)
        {
            OpcUaException.ThrowLimit("Array length", length, _limits.MaxArrayLength);
        }

        if ((long)length * minElementSize > Remaining)
        {
            OpcUaException.ThrowDecoding($"Array length {length} at offset {_position - 4} needs more than the {Remaining} bytes left.");
        }

        return length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _position))
        {
            ThrowTruncated(count);
        }

        var span = _buffer.Slice(_position, count);
        _position += count;
        return span;
    }

    private readonly void CheckLength(int length, int limit, string what)
    {
        if (length < -1)
        {
            OpcUaException.ThrowDecoding($"{what} {length} at offset {_position - 4} is negative.");
        }

        if (length > limit)
        {
            OpcUaException.ThrowLimit(what, length, limit);
        }

        if (length > Remaining)
        {
            OpcUaException.ThrowDecoding($"{what} {length} at offset {_position - 4} needs more than the {Remaining} bytes left.");
        }
    }

    private void Enter()
    {
        if (++_depth > _limits.MaxNestingDepth)
        {
            OpcUaException.ThrowLimit("Nesting depth", _depth, _limits.MaxNestingDepth);
        }
    }

    private void Leave() => _depth--;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowTruncated(int count) =>
        OpcUaException.ThrowDecoding($"Needed {count} bytes at offset {_position} but the message ends after {_buffer.Length - _position}.");
}

/// <summary>UA DateTime ↔ .NET DateTime (OPC 10000-6 §5.2.2.5).</summary>
public static class UaDateTime
{
    /// <summary>Ticks of 1601-01-01T00:00:00Z, the UA epoch.</summary>
    public const long EpochTicks = 504_911_232_000_000_000;

    public static DateTime FromUaTicks(long ticks)
    {
        if (ticks <= 0)
        {
            return DateTime.MinValue;
        }

        return ticks >= DateTime.MaxValue.Ticks - EpochTicks ? DateTime.MaxValue : new DateTime(ticks + EpochTicks, DateTimeKind.Utc);
    }

    public static long ToUaTicks(DateTime value)
    {
        if (value.Ticks <= EpochTicks)
        {
            return 0;
        }

        return value == DateTime.MaxValue ? long.MaxValue : value.Ticks - EpochTicks;
    }
}
