import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import software.amazon.event.ruler.Ruler;
import software.amazon.event.ruler.JsonRuleCompiler;

/**
 * Runs every case of a cases file (tests/fixtures/filter-conformance.json unless conformance.sh is given another)
 * through aws/event-ruler and reports the cases whose recorded answer differs from event-ruler's. The record value
 * becomes the event's "value" field the way the emulator (and Lambda's Kafka docs) describe it: parsed when it is
 * JSON, else the plain string.
 */
public class CheckConformance {
    // Strict like JSON.parse: "12 apples" is a plain string, not the number 12.
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public static void main(String[] args) throws Exception {
        JsonNode cases = JSON.readTree(new File(args[0])).get("cases");
        int disagreements = 0;
        for (JsonNode c : cases) {
            String rule = JSON.writeValueAsString(c.get("pattern"));
            String actual;
            if (JsonRuleCompiler.check(rule) != null) {
                actual = "rejected";
            } else {
                actual = Ruler.matchesRule(event(c), rule) ? "match" : "no match";
            }
            String expected = c.has("rejected") ? "rejected" : c.get("matches").asBoolean() ? "match" : "no match";
            if (!expected.equals(actual)) {
                disagreements++;
                System.out.println("DISAGREE " + c.get("name").asText() + ": fixture says " + expected + ", event-ruler says " + actual
                        + (actual.equals("rejected") ? " (" + JsonRuleCompiler.check(rule) + ")" : ""));
            }
        }
        System.out.println(cases.size() + " cases, " + disagreements + " disagreements with event-ruler");
        System.exit(disagreements == 0 ? 0 : 1);
    }

    private static String event(JsonNode c) throws Exception {
        if (c.has("value")) return "{\"value\":" + JSON.writeValueAsString(c.get("value")) + "}";
        String text = c.get("valueText").asText();
        try {
            // An empty record is no JSON document (readTree gives a missing node), so it is the string "".
            if (!JSON.readTree(text).isMissingNode()) return "{\"value\":" + text + "}";
        } catch (Exception notJson) {
            // a plain string
        }
        return "{\"value\":" + JSON.writeValueAsString(text) + "}";
    }
}
