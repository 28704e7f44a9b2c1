using System.Text.Json;
using System.Text.Json.Serialization;
using WaveFlow.Core;
using WaveFlow.Core.Json;

namespace WaveFlow.Evaluation.Listening;

/// <summary>One answered A/B pair as the report page exports it. <c>Left</c>/<c>Right</c> are system names,
/// resolved by the page from its hidden key only at export time.</summary>
internal sealed record ListeningAnswer(
    [property: JsonPropertyName("pair")] string Pair,
    [property: JsonPropertyName("clip")] string Clip,
    [property: JsonPropertyName("left")] string Left,
    [property: JsonPropertyName("right")] string Right,
    [property: JsonPropertyName("choice")] string Choice,
    [property: JsonPropertyName("comment")] string? Comment = null,
    [property: JsonPropertyName("leftPlays")] int LeftPlays = 0,
    [property: JsonPropertyName("rightPlays")] int RightPlays = 0)
{
    /// <summary>The preferred system, or null for "no preference".</summary>
    [JsonIgnore]
    public string? Preferred => Choice switch { "left" => Left, "right" => Right, _ => null };
}
