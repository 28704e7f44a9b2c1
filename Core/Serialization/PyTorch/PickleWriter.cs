using System.Buffers.Binary;
using System.Text;

namespace WaveFlow.Core.Serialization.PyTorch;

/// <summary>
/// Emits the protocol-2 pickle opcodes torch.save uses for tensors and state dicts (no memo:
/// it is optional, and every object here is written once).
/// </summary>
internal sealed class PickleWriter
{
    private readonly MemoryStream _out = new();

    public PickleWriter() { _out.WriteByte(0x80); _out.WriteByte(2); }              // PROTO 2

    public void String(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        _out.WriteByte((byte)'X');                                                    // BINUNICODE
        Span<byte> n = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(n, bytes.Length);
        _out.Write(n);
        _out.Write(bytes);
    }

    public void Int(long v)
    {
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            _out.WriteByte((byte)'J');                                                // BININT
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            _out.Write(b);
        }
        else
        {
            _out.WriteByte(0x8a); _out.WriteByte(8);                                  // LONG1, 8 bytes two's complement
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(b, v);
            _out.Write(b);
        }
    }

    public void Global(string module, string name) => _out.Write(Encoding.ASCII.GetBytes($"c{module}\n{name}\n"));

    public void BeginOrderedDict()
    {
        Global("collections", "OrderedDict");
        _out.WriteByte((byte)')'); _out.WriteByte((byte)'R');                        // OrderedDict()
        _out.WriteByte((byte)'(');                                                    // MARK for SETITEMS
    }

    public void EndOrderedDict() => _out.WriteByte((byte)'u');                        // SETITEMS

    /// <summary>
    /// <c>_rebuild_tensor_v2(persistent('storage', FloatStorage|HalfStorage, key, 'cpu', numel), 0, size, stride, False, OrderedDict())</c>,
    /// a contiguous C-order tensor.
    /// </summary>
    public void Tensor(FloatArray t, string storageKey, bool half)
    {
        Global("torch._utils", "_rebuild_tensor_v2");
        _out.WriteByte((byte)'(');
        _out.WriteByte((byte)'(');
        String("storage");
        Global("torch", half ? "HalfStorage" : "FloatStorage");
        String(storageKey);
        String("cpu");
        Int(t.Data.LongLength);
        _out.WriteByte((byte)'t');
        _out.WriteByte((byte)'Q');                                                    // BINPERSID
        Int(0);                                                                       // storage offset
        Tuple(t.Shape);
        var stride = new long[t.Shape.Length];
        for (long d = t.Shape.Length - 1, s = 1; d >= 0; d--) { stride[d] = s; s *= t.Shape[d]; }
        Tuple(stride);
        _out.WriteByte(0x89);                                                         // requires_grad = False
        Global("collections", "OrderedDict");
        _out.WriteByte((byte)')'); _out.WriteByte((byte)'R');                        // backward_hooks = OrderedDict()
        _out.WriteByte((byte)'t');
        _out.WriteByte((byte)'R');
    }

    private void Tuple(long[] values)
    {
        _out.WriteByte((byte)'(');
        foreach (var v in values) Int(v);
        _out.WriteByte((byte)'t');
    }

    public byte[] Finish()
    {
        _out.WriteByte((byte)'.');                                                    // STOP
        return _out.ToArray();
    }
}
