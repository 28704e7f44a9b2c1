using System.Runtime.InteropServices;
using Google.Protobuf;
using WaveFlow.Onnx.Export.Proto;

namespace WaveFlow.Onnx.Export;

/// <summary>
/// Builds an ONNX graph node by node with the protobuf messages of Protos/onnx.proto: each call
/// adds a node or an initializer and returns the names of the values it makes, so the exporter
/// reads like the model's forward pass. Value names are made unique from the given prefix.
/// Weights are stored as float32 or, for a half-precision export, float16 (raw little-endian data,
/// as the specification's raw_data field holds them).
/// </summary>
internal sealed class OnnxGraphBuilder(string graphName, bool half)
{
    private readonly GraphProto graph = new() { Name = graphName };
    private readonly HashSet<string> names = new(StringComparer.Ordinal);

    /// <summary>The element type of weights and activations: FLOAT, or FLOAT16 for a half-precision export.</summary>
    public int ComputeType { get; } = (int)(half ? TensorProto.Types.DataType.Float16 : TensorProto.Types.DataType.Float);

    /// <summary>A weight (float32 values, stored in <see cref="ComputeType"/>).</summary>
    public string Weight(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var tensor = new TensorProto { Name = Unique(name), DataType = ComputeType };
        tensor.Dims.AddRange(dims);
        if (half)
        {
            var halves = new Half[values.Length];
            for (int i = 0; i < values.Length; i++) halves[i] = (Half)values[i];
            tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(halves.AsSpan()));
        }
        else tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A 1-D int64 constant (shapes, axes, split sizes).</summary>
    public string Int64s(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>One node of the default domain with one output, named after <paramref name="name"/>.</summary>
    public string Node(string op, string name, string[] inputs, params AttributeProto[] attributes) =>
        Node(op, name, inputs, 1, attributes)[0];

    /// <summary>One node with <paramref name="outputs"/> outputs; returns their names.</summary>
    public string[] Node(string op, string name, string[] inputs, int outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Unique(name) };
        node.Input.AddRange(inputs);
        for (int i = 0; i < outputs; i++) node.Output.Add(outputs == 1 ? node.Name : Unique($"{node.Name}:{i}"));
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return [.. node.Output];
    }

    /// <summary>A graph input or output of element type <paramref name="elemType"/>; each dimension a
    /// number (fixed) or a string (a named, dynamic dimension).</summary>
    public void Input(string name, int elemType, params object[] dims) => graph.Input.Add(ValueInfo(Unique(name), elemType, dims));

    /// <inheritdoc cref="Input"/>
    public void Output(string name, int elemType, params object[] dims) => graph.Output.Add(ValueInfo(name, elemType, dims));

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>An integer-list attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>The model: this graph, the opset, IR version and the metadata entries.</summary>
    public ModelProto Model(long irVersion, long opset, string producerVersion, string docString, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = irVersion,
            ProducerName = "waveflow",
            ProducerVersion = producerVersion,
            ModelVersion = 1,
            DocString = docString,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        foreach (var (key, value) in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private static ValueInfoProto ValueInfo(string name, int elemType, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d switch
            {
                string param => new TensorShapeProto.Types.Dimension { DimParam = param },
                long value => new TensorShapeProto.Types.Dimension { DimValue = value },
                int value => new TensorShapeProto.Types.Dimension { DimValue = value },
                _ => throw new ArgumentException($"dimension {d}: a number or a name"),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType, Shape = shape } },
        };
    }

    /// <summary>The name itself the first time, then name_2, name_3, ...</summary>
    private string Unique(string name)
    {
        string candidate = name;
        for (int i = 2; !names.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }
}
