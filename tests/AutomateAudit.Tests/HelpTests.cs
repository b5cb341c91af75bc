using System;
using System.IO;
using AutomateAudit.HelpGen;
using AutomateAudit.Testing;

namespace AutomateAudit.Tests
{
    public class HelpTests
    {
        [Fact]
        public void TheShippedHelpIsCompiledFromTheCurrentMarkdownAndCmdlets()
        {
            // Generate() itself fails on a missing synopsis, description, example or parameter description.
            string generated = MamlGenerator.Generate(typeof(AutomateAudit.Cmdlets.AuditDatabaseCmdlet).Assembly, Path.Combine(RepoPaths.Root, "docs", "help"));
            string shipped = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "AutomateAudit", "en-US", "AutomateAudit.dll-Help.xml"));
            Assert.True(generated == shipped, "en-US/AutomateAudit.dll-Help.xml is out of date: run ./build.sh help");
        }

        [Fact]
        public void MarkdownSectionsAreRead()
        {
            var doc = MamlGenerator.ParseMarkdown("# X\n\n## SYNOPSIS\nDoes a thing.\n\n## DESCRIPTION\nFirst.\n\nSecond\nline.\n\n## EXAMPLES\n\n### Example 1: Title\n```powershell\nX -Y\n```\nRemark.\n\n## PARAMETERS\n\n### -Y\nThe y.\n");
            Assert.Equal("Does a thing.", doc.Synopsis);
            Assert.Equal(new[] { "First.", "Second line." }, doc.Description);
            Assert.Equal(("Title", "X -Y", "Remark."), Assert.Single(doc.Examples));
            Assert.Equal("The y.", doc.Parameters["Y"]);
        }
    }
}
