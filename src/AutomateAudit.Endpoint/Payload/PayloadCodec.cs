using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace AutomateAudit.Endpoint.Payload
{
    /// <summary>What an endpoint sends: who made it, when, and the items (sessions, idle samples) with their events.</summary>
    internal sealed class PayloadEnvelope
    {
        public int Format { get; set; } = PayloadCodec.FormatVersion;
        public string Kind { get; set; }
        public string ComputerName { get; set; }
        public int? AgentId { get; set; }
        /// <summary>When the endpoint made it (UTC); null for plain JSON without an envelope.</summary>
        public DateTime? GeneratedUtc { get; set; }
        public List<Dictionary<string, object>> Items { get; set; } = new List<Dictionary<string, object>>();
        public List<Dictionary<string, object>> Events { get; set; } = new List<Dictionary<string, object>>();
        /// <summary>Idle reports: active and idle minutes per user per hour, from the sampler's history.</summary>
        public List<Dictionary<string, object>> Hours { get; set; } = new List<Dictionary<string, object>>();
    }

    /// <summary>
    /// The payload: one line of standard base64 ([A-Za-z0-9+/=]) of UTF-8 compact JSON, so that it can pass
    /// through an Automate variable (at most about 65,500 characters) and a regex check on the server, and
    /// reach SQL only as a parameter. No compression: no decompression bomb. The JSON is an envelope with a
    /// format version; a newer version is refused whole, never half-read.
    /// </summary>
    internal static class PayloadCodec
    {
        public const int FormatVersion = 1;
        public const int MaxPayloadChars = 60000;
        /// <summary>JSON given directly (-Json, -Path): 2,000 sessions with every field fit well within this.</summary>
        public const int MaxJsonChars = 2000000;
        public const string SessionsKind = "UserSessions";
        public const string IdleKind = "IdleSamples";

        /// <summary>The check the Automate script runs on the server before inserting a payload into the inbox.</summary>
        public const string AlphabetPattern = "^[A-Za-z0-9+/=]{1,60000}$";
        internal static readonly Regex Alphabet = new Regex("^[A-Za-z0-9+/]*={0,2}\\z", RegexOptions.CultureInvariant);
        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

        public static string Encode(PayloadEnvelope envelope)
        {
            string payload = Convert.ToBase64String(StrictUtf8.GetBytes(ToJson(envelope)));
            if (payload.Length > MaxPayloadChars)
                throw new PayloadException("The payload is " + payload.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) +
                    " characters, more than the " + MaxPayloadChars.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) +
                    " an Automate variable can carry. Use the direct route instead: write the JSON to a file (-AsJson | Set-Content), " +
                    "send it with a File Upload step, and import it on the server with Save-" + (envelope.Kind == IdleKind ? "IdleSample" : "UserSession") + " -Path.");
            return payload;
        }

        public static string ToJson(PayloadEnvelope envelope) => Json.Write(new List<KeyValuePair<string, object>>
        {
            Member("format", envelope.Format),
            Member("kind", envelope.Kind),
            Member("computerName", envelope.ComputerName),
            Member("agentId", envelope.AgentId),
            Member("generatedUtc", envelope.GeneratedUtc),
            Member("items", envelope.Items.ConvertAll(i => (object)Ordered(i))),
            Member("events", envelope.Events.ConvertAll(e => (object)Ordered(e))),
            Member("hours", envelope.Hours.ConvertAll(h => (object)Ordered(h))),
        });

        private static KeyValuePair<string, object> Member(string name, object value) => new KeyValuePair<string, object>(name, value);

        // A member that is null is left out (the reader takes a missing member as null): more items fit in a variable.
        private static List<KeyValuePair<string, object>> Ordered(Dictionary<string, object> members) =>
            members.Where(m => m.Value != null).ToList();

        /// <summary>Decodes and checks a payload (of any known kind when expectedKind is null); anything wrong throws a PayloadException that says what.</summary>
        public static PayloadEnvelope Decode(string payload, string expectedKind)
        {
            if (string.IsNullOrEmpty(payload)) throw new PayloadException("The payload is empty.");
            if (payload.Length > MaxPayloadChars)
                throw new PayloadException("The payload is " + payload.Length + " characters; at most " + MaxPayloadChars + " are accepted.");
            if (payload.Length % 4 != 0 || !Alphabet.IsMatch(payload))
                throw new PayloadException("The payload is not one line of standard base64 (only A-Z, a-z, 0-9, +, / and trailing =).");
            string json;
            try
            {
                json = StrictUtf8.GetString(Convert.FromBase64String(payload));
            }
            catch (FormatException)
            {
                throw new PayloadException("The payload is not valid base64.");
            }
            catch (ArgumentException)
            {
                throw new PayloadException("The payload does not decode to UTF-8 text.");
            }
            PayloadEnvelope envelope = ParseJson(json, expectedKind);
            if (envelope.GeneratedUtc == null) throw new PayloadException("The payload has no generatedUtc.");
            return envelope;
        }

        /// <summary>
        /// Reads JSON given directly: an envelope as the payload holds it, or a plain array of items (what
        /// ConvertTo-Json writes for Get-UserSession's output, in Windows PowerShell 5.1 or PowerShell 7).
        /// </summary>
        public static PayloadEnvelope ParseJson(string json, string expectedKind)
        {
            if (json == null) throw new PayloadException("The JSON is empty.");
            if (json.Length > MaxJsonChars)
                throw new PayloadException("The JSON is " + json.Length + " characters; at most " + MaxJsonChars + " are accepted.");
            object root = Json.Parse(json);
            if (root is List<object> plain) return new PayloadEnvelope { Kind = expectedKind, Items = Objects(plain, "items") };
            if (!(root is Dictionary<string, object> members)) throw new PayloadException("The JSON is neither an envelope object nor an array of items.");
            if (!members.ContainsKey("format") && !members.ContainsKey("kind"))
                return new PayloadEnvelope { Kind = expectedKind, Items = new List<Dictionary<string, object>> { members } };

            int format = members.TryGetValue("format", out object f) && f is Json.Number n && int.TryParse(n.Text, out int v) ? v
                : throw new PayloadException("The envelope's format is missing or not a whole number.");
            if (format > FormatVersion)
                throw new PayloadException("The payload is in format version " + format + ", newer than this module reads (" + FormatVersion + "). Update AutomateAudit on the server; nothing was read.");
            if (format < 1) throw new PayloadException("The envelope's format " + format + " is not a format version.");
            string kind = members.TryGetValue("kind", out object k) ? k as string : null;
            if (expectedKind == null && kind != SessionsKind && kind != IdleKind)
                throw new PayloadException("The payload holds '" + Json.Shorten(kind ?? "(nothing)") + "', which this module does not read.");
            if (expectedKind != null && kind != expectedKind)
                throw new PayloadException("The payload holds '" + Json.Shorten(kind ?? "(nothing)") + "', not " + expectedKind + ".");
            return new PayloadEnvelope
            {
                Format = format,
                Kind = kind,
                ComputerName = Field.OptionalString(members, "computerName", "the envelope"),
                AgentId = Field.OptionalInt(members, "agentId", "the envelope"),
                GeneratedUtc = Field.OptionalDate(members, "generatedUtc", "the envelope"),
                Items = members.TryGetValue("items", out object items) ? Objects(items, "items") : throw new PayloadException("The envelope has no items."),
                Events = members.TryGetValue("events", out object events) && events != null ? Objects(events, "events") : new List<Dictionary<string, object>>(),
                Hours = members.TryGetValue("hours", out object hours) && hours != null ? Objects(hours, "hours") : new List<Dictionary<string, object>>(),
            };
        }

        private static List<Dictionary<string, object>> Objects(object value, string name)
        {
            if (!(value is List<object> list)) throw new PayloadException("'" + name + "' is not an array.");
            var result = new List<Dictionary<string, object>>(list.Count);
            for (int i = 0; i < list.Count; i++)
            {
                if (!(list[i] is Dictionary<string, object> item)) throw new PayloadException(name + "[" + i + "] is not an object.");
                result.Add(item);
            }
            return result;
        }
    }
}
