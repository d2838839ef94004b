import { Box, Code, type MantineSpacing } from "@mantine/core";
import { CopyButton } from "./CopyButton";

/** Commands to run, one a line, with a button that copies them all. */
export function CommandBlock({
  commands,
  mt = "xs",
  "data-testid": testid,
}: {
  commands: string;
  mt?: MantineSpacing;
  "data-testid"?: string;
}) {
  return (
    <Box className="command-block" mt={mt}>
      <Code block data-testid={testid} className="command-block__code">
        {commands}
      </Code>
      <Box className="command-block__copy">
        <CopyButton text={commands} />
      </Box>
    </Box>
  );
}
