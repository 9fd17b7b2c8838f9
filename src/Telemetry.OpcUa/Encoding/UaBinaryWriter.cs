using System.Buffers;
using System.Buffers.Binary;

namespace Telemetry.OpcUa.Encoding;

/// <summary>
/// Encodes the OPC UA Binary encoding (OPC 10000-6 §5.2) into an <see cref="IBufferWriter{T}"/>: each value asks
/// for exactly its size. The mirror of <see cref="UaBinaryReader"/>; layouts are drawn there.
/// </summary>
public ref partial struct UaBinaryWriter
{
    private readonly IBufferWriter<byte> _output;
    private long _written;

    public UaBinaryWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>Bytes written through this writer.</summary>
    public readonly long Written => _written;

    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteSByte(sbyte value) => WriteByte((byte)value);

    public void WriteByte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        Advance(1);
    }

    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16LittleEndian(_output.GetSpan(2), value);
        Advance(2);
    }

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_output.GetSpan(2), value);
        Advance(2);
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_output.GetSpan(4), value);
        Advance(4);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_output.GetSpan(4), value);
        Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_output.GetSpan(8), value);
        Advance(8);
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_output.GetSpan(8), value);
        Advance(8);
    }

    public void WriteFloat(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(_output.GetSpan(4), value);
        Advance(4);
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_output.GetSpan(8), value);
        Advance(8);
    }

    public void WriteStatusCode(StatusCode value) => WriteUInt32(value.Code);

    public void WriteDateTime(DateTime value) => WriteInt64(UaDateTime.ToUaTicks(value));

    public void WriteGuid(Guid value)
    {
        if (!value.TryWriteBytes(_output.GetSpan(16)))
        {
            throw new InvalidOperationException("IBufferWriter returned less than 16 bytes.");
        }

        Advance(16);
    }

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        var length = System.Text.Encoding.UTF8.GetByteCount(value);
        var span = _output.GetSpan(4 + length);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        System.Text.Encoding.UTF8.GetBytes(value, span[4..]);
        Advance(4 + length);
    }

    public void WriteXmlElement(string? value) => WriteString(value);

    public void WriteByteString(ReadOnlySpan<byte> value, bool isNull = false)
    {
        if (isNull)
        {
            WriteInt32(-1);
            return;
        }

        WriteInt32(value.Length);
        WriteRaw(value);
    }

    public void WriteByteString(byte[]? value) => WriteByteString(value, value is null);

    /// <summary>Bytes as they are (no length prefix).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        bytes.CopyTo(_output.GetSpan(bytes.Length));
        Advance(bytes.Length);
    }

    /// <summary>A length-prefixed array (§5.2.5); null writes -1.</summary>
    public void WriteArray<T>(ReadOnlySpan<T> values, ElementWriter<T> write, bool isNull = false)
    {
        if (isNull)
        {
            WriteInt32(-1);
            return;
        }

        WriteInt32(values.Length);
        foreach (var value in values)
        {
            write(ref this, value);
        }
    }

    public void WriteArray<T>(T[]? values, ElementWriter<T> write) => WriteArray<T>(values, write, values is null);

    private void Advance(int count)
    {
        _output.Advance(count);
        _written += count;
    }
}

/// <summary>Writes one element of an array (static lambdas: no closure).</summary>
public delegate void ElementWriter<in T>(ref UaBinaryWriter writer, T value);
