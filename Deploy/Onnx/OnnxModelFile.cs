namespace WaveFlow.Onnx;

/// <summary>Tells an ONNX model from the checkpoint formats by content, as the checkpoint loader tells those apart.</summary>
internal static class OnnxModelFile
{
    /// <summary>
    /// True when the file starts as a serialized ONNX ModelProto does: field 1 (ir_version, a
    /// varint: byte 0x08) holding a version from 1 to 127, followed by the tag of another
    /// ModelProto field (producer_name 0x12, producer_version 0x1A, domain 0x22, model_version
    /// 0x28, doc_string 0x32, graph 0x3A, opset_import 0x42). None of the checkpoint formats
    /// starts so: a zip with "PK", a pickle with 0x80, and safetensors with an 8-byte header
    /// length followed by '{' (the 9th byte, checked too: a header length could begin with these
    /// three bytes).
    /// </summary>
    public static bool LooksLikeOnnx(string path)
    {
        if (!File.Exists(path)) return false;
        Span<byte> head = stackalloc byte[9];
        int read;
        using (var f = File.OpenRead(path)) read = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (read < 3 || head[0] != 0x08 || head[1] is 0 or >= 0x80) return false;
        if (read == 9 && head[8] == (byte)'{') return false;   // safetensors
        return head[2] is 0x12 or 0x1A or 0x22 or 0x28 or 0x32 or 0x3A or 0x42;
    }
}
