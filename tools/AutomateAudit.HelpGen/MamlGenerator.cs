using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace AutomateAudit.HelpGen
{
    /// <summary>
    /// Compiles docs/help/*.md (one file per cmdlet, platyPS-like headings) and the cmdlets' own
    /// metadata (parameters, sets, types, pipeline binding) into the MAML file Get-Help reads. Fails on
    /// a cmdlet without a synopsis, description or example, or a parameter without a description.
    /// </summary>
    public static class MamlGenerator
    {
        private static readonly XNamespace Msh = "http://msh";
        private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        private static readonly string[] Common = { "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ErrorVariable", "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "ProgressAction", "WhatIf", "Confirm" };

        public static string Generate(Assembly module, string helpFolder)
        {
            var common = ParseMarkdown(File.ReadAllText(Path.Combine(helpFolder, "_CommonParameters.md")));
            var cmdlets = module.GetExportedTypes()
                .Select(t => (Type: t, Attribute: t.GetCustomAttribute<CmdletAttribute>()))
                .Where(x => x.Attribute != null && !x.Type.IsAbstract)
                .OrderBy(x => x.Attribute.VerbName + "-" + x.Attribute.NounName, StringComparer.Ordinal)
                .ToList();
            var problems = new List<string>();
            var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"));
            foreach (var (type, attribute) in cmdlets)
            {
                string name = attribute.VerbName + "-" + attribute.NounName;
                string path = Path.Combine(helpFolder, name + ".md");
                if (!File.Exists(path)) { problems.Add(name + ": no " + path); continue; }
                var doc = ParseMarkdown(File.ReadAllText(path));
                root.Add(CommandElement(name, attribute, type, doc, common, problems));
            }
            if (problems.Count > 0) throw new InvalidOperationException("Help is incomplete:\n" + string.Join("\n", problems));
            var xml = new XDocument(new XDeclaration("1.0", "utf-8", null), root);
            return xml.Declaration + Environment.NewLine + xml.Root.ToString().Replace("\r\n", "\n") + "\n";
        }

        private static XElement CommandElement(string name, CmdletAttribute attribute, Type type, HelpDoc doc, HelpDoc common, List<string> problems)
        {
            if (string.IsNullOrWhiteSpace(doc.Synopsis)) problems.Add(name + ": no SYNOPSIS");
            if (doc.Description.Count == 0) problems.Add(name + ": no DESCRIPTION");
            if (doc.Examples.Count == 0) problems.Add(name + ": no EXAMPLES");

            var parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => (Property: p, Attributes: p.GetCustomAttributes<ParameterAttribute>(true).ToList()))
                .Where(p => p.Attributes.Count > 0)
                .OrderBy(p => p.Property.DeclaringType == type ? 0 : 1)
                .ToList();
            var described = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in parameters)
            {
                string text = doc.Parameters.TryGetValue(p.Property.Name, out string own) ? own
                    : common.Parameters.TryGetValue(p.Property.Name, out string shared) ? shared : null;
                if (string.IsNullOrWhiteSpace(text)) problems.Add(name + ": parameter -" + p.Property.Name + " has no description");
                described[p.Property.Name] = text ?? string.Empty;
            }
            foreach (string documented in doc.Parameters.Keys.Where(k => parameters.All(p => !p.Property.Name.Equals(k, StringComparison.OrdinalIgnoreCase))))
                problems.Add(name + ": documents -" + documented + ", which does not exist");

            var sets = parameters.SelectMany(p => p.Attributes.Select(a => a.ParameterSetName))
                .Where(s => s != ParameterAttribute.AllParameterSets).Distinct().DefaultIfEmpty(ParameterAttribute.AllParameterSets).ToList();
            var syntax = new XElement(Command + "syntax");
            foreach (string set in sets)
            {
                var item = new XElement(Command + "syntaxItem", new XElement(Maml + "name", name));
                foreach (var p in parameters)
                {
                    var a = p.Attributes.FirstOrDefault(x => x.ParameterSetName == set) ?? p.Attributes.FirstOrDefault(x => x.ParameterSetName == ParameterAttribute.AllParameterSets);
                    if (a != null) item.Add(ParameterElement(p.Property, a, described[p.Property.Name]));
                }
                syntax.Add(item);
            }

            var command = new XElement(Command + "command",
                new XAttribute(XNamespace.Xmlns + "maml", Maml), new XAttribute(XNamespace.Xmlns + "command", Command), new XAttribute(XNamespace.Xmlns + "dev", Dev),
                new XElement(Command + "details",
                    new XElement(Command + "name", name),
                    new XElement(Command + "verb", attribute.VerbName),
                    new XElement(Command + "noun", attribute.NounName),
                    new XElement(Maml + "description", Para(doc.Synopsis))),
                new XElement(Maml + "description", doc.Description.Select(Para)),
                syntax,
                new XElement(Command + "parameters", parameters.Select(p => ParameterElement(p.Property, p.Attributes[0], described[p.Property.Name]))),
                new XElement(Command + "inputTypes", new XElement(Command + "inputType",
                    new XElement(Dev + "type", new XElement(Maml + "name", doc.Inputs ?? "None")), new XElement(Maml + "description", Para(string.Empty)))),
                new XElement(Command + "returnValues", new XElement(Command + "returnValue",
                    new XElement(Dev + "type", new XElement(Maml + "name", doc.Outputs ?? "None")), new XElement(Maml + "description", Para(string.Empty)))),
                new XElement(Maml + "alertSet", new XElement(Maml + "alert", Para(doc.Notes ?? string.Empty))),
                new XElement(Command + "examples", doc.Examples.Select((e, i) => new XElement(Command + "example",
                    new XElement(Maml + "title", "-------------------------- Example " + (i + 1) + ": " + e.Title + " --------------------------"),
                    new XElement(Dev + "code", e.Code),
                    new XElement(Dev + "remarks", Para(e.Remarks))))),
                new XElement(Command + "relatedLinks"));
            return command;
        }

        private static XElement ParameterElement(PropertyInfo property, ParameterAttribute attribute, string description)
        {
            Type type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            bool isSwitch = type == typeof(SwitchParameter);
            string pipeline = attribute.ValueFromPipeline && attribute.ValueFromPipelineByPropertyName ? "True (ByValue, ByPropertyName)"
                : attribute.ValueFromPipeline ? "True (ByValue)" : attribute.ValueFromPipelineByPropertyName ? "True (ByPropertyName)" : "False";
            var aliases = property.GetCustomAttribute<AliasAttribute>()?.AliasNames;
            var element = new XElement(Command + "parameter",
                new XAttribute("required", attribute.Mandatory ? "true" : "false"),
                new XAttribute("variableLength", type.IsArray ? "true" : "false"),
                new XAttribute("globbing", property.GetCustomAttribute<SupportsWildcardsAttribute>() != null ? "true" : "false"),
                new XAttribute("pipelineInput", pipeline),
                new XAttribute("position", attribute.Position >= 0 && attribute.Position != int.MinValue ? attribute.Position.ToString() : "named"),
                new XAttribute("aliases", aliases != null && aliases.Count > 0 ? string.Join(", ", aliases) : "none"),
                new XElement(Maml + "name", property.Name),
                new XElement(Maml + "description", Para(description)));
            if (!isSwitch) element.Add(new XElement(Command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", type.IsArray ? "true" : "false"), TypeName(type)));
            element.Add(new XElement(Dev + "type", new XElement(Maml + "name", TypeName(type))));
            element.Add(new XElement(Dev + "defaultValue", "None"));
            return element;
        }

        private static string TypeName(Type type) => type.IsArray ? type.GetElementType().Name + "[]" : type.Name;

        private static XElement Para(string text) => new XElement(Maml + "para", text ?? string.Empty);

        // ---- markdown ------------------------------------------------------------------------------

        public sealed class HelpDoc
        {
            public string Synopsis { get; set; }
            public List<string> Description { get; } = new List<string>();
            public List<(string Title, string Code, string Remarks)> Examples { get; } = new List<(string, string, string)>();
            public Dictionary<string, string> Parameters { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            public string Inputs { get; set; }
            public string Outputs { get; set; }
            public string Notes { get; set; }
        }

        public static HelpDoc ParseMarkdown(string markdown)
        {
            var doc = new HelpDoc();
            var sections = Regex.Split(markdown.Replace("\r\n", "\n"), @"^## ", RegexOptions.Multiline).Skip(1);
            foreach (string section in sections)
            {
                int newline = section.IndexOf('\n');
                string heading = (newline < 0 ? section : section.Substring(0, newline)).Trim().ToUpperInvariant();
                string body = newline < 0 ? string.Empty : section.Substring(newline + 1);
                switch (heading)
                {
                    case "SYNOPSIS": doc.Synopsis = Paragraphs(body).FirstOrDefault(); break;
                    case "DESCRIPTION": doc.Description.AddRange(Paragraphs(body)); break;
                    case "INPUTS": doc.Inputs = string.Join(" ", Paragraphs(body)); break;
                    case "OUTPUTS": doc.Outputs = string.Join(" ", Paragraphs(body)); break;
                    case "NOTES": doc.Notes = string.Join(" ", Paragraphs(body)); break;
                    case "EXAMPLES":
                        foreach (string example in Regex.Split(body, @"^### ", RegexOptions.Multiline).Skip(1))
                        {
                            int eol = example.IndexOf('\n');
                            string title = Regex.Replace(example.Substring(0, eol).Trim(), @"^Example \d+:\s*", string.Empty);
                            var code = Regex.Match(example, @"```(?:powershell)?\n(.*?)```", RegexOptions.Singleline);
                            string remarks = string.Join(" ", Paragraphs(Regex.Replace(example.Substring(eol + 1), @"```.*?```", string.Empty, RegexOptions.Singleline)));
                            doc.Examples.Add((title, code.Success ? code.Groups[1].Value.TrimEnd() : string.Empty, remarks));
                        }
                        break;
                    case "PARAMETERS":
                        foreach (string parameter in Regex.Split(body, @"^### ", RegexOptions.Multiline).Skip(1))
                        {
                            int eol = parameter.IndexOf('\n');
                            string pname = parameter.Substring(0, eol < 0 ? parameter.Length : eol).Trim().TrimStart('-');
                            doc.Parameters[pname] = string.Join(" ", Paragraphs(eol < 0 ? string.Empty : parameter.Substring(eol + 1)));
                        }
                        break;
                }
            }
            return doc;
        }

        private static IEnumerable<string> Paragraphs(string body) =>
            Regex.Split(body.Trim(), @"\n\s*\n").Select(p => Regex.Replace(p.Trim(), @"\s*\n\s*", " ")).Where(p => p.Length > 0);
    }
}
