// Reads Strimzi resources (a JSON array on stdin) into Strimzi's own API model (io.strimzi:api)
// and reports what the model does not take: a field it does not know (the model keeps such
// fields aside as "additional properties"), a value of the wrong type, an unknown listener,
// authentication or storage type (polymorphic types refuse unknown names).
// Run by tests/test_k8s_strimzi.py: java -cp <classpath> StrimziModelCheck.java < resources.json
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.*;

public class StrimziModelCheck {
    static final Map<String, String> KINDS = Map.of(
        "Kafka", "io.strimzi.api.kafka.model.kafka.Kafka",
        "KafkaNodePool", "io.strimzi.api.kafka.model.nodepool.KafkaNodePool",
        "KafkaTopic", "io.strimzi.api.kafka.model.topic.KafkaTopic",
        "KafkaUser", "io.strimzi.api.kafka.model.user.KafkaUser");

    public static void main(String[] args) throws Exception {
        ObjectMapper mapper = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        // Written back with every property, defaults and nulls included, so that a value the
        // model did not keep shows as null instead of looking like an omitted default.
        mapper.setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
            @Override
            public JsonInclude.Value findPropertyInclusion(Annotated a) {
                return JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS);
            }
        });
        JsonNode docs = mapper.readTree(System.in);
        int errors = 0;
        for (JsonNode doc : docs) {
            String kind = doc.path("kind").asText();
            String name = kind + "/" + doc.path("metadata").path("name").asText();
            String cls = KINDS.get(kind);
            if (cls == null) {
                System.out.println("error " + name + ": not a Strimzi kind this check knows");
                errors++;
                continue;
            }
            try {
                Object resource = mapper.treeToValue(doc, Class.forName(cls));
                List<String> unknown = new ArrayList<>();
                walk(resource, "", unknown, Collections.newSetFromMap(new IdentityHashMap<>()));
                // Values the model did not keep (an enum name it does not know becomes null).
                covered(doc, mapper.valueToTree(resource), "", unknown);
                if (unknown.isEmpty()) {
                    System.out.println("ok " + name);
                } else {
                    System.out.println("error " + name + ": not taken by the model: " + unknown);
                    errors++;
                }
            } catch (Exception e) {
                System.out.println("error " + name + ": " + e.getMessage().replace('\n', ' '));
                errors++;
            }
        }
        System.exit(errors == 0 ? 0 : 1);
    }

    static void covered(JsonNode in, JsonNode out, String path, List<String> lost) {
        if (in.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = in.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                // the model writes its own (newest) API version; the one given is checked by the
                // Kubernetes API server against the versions the operator serves
                if (path.isEmpty() && f.getKey().equals("apiVersion")) continue;
                JsonNode o = out == null ? null : out.get(f.getKey());
                if (o == null || o.isNull() && !f.getValue().isNull()) lost.add(path + "." + f.getKey());
                else covered(f.getValue(), o, path + "." + f.getKey(), lost);
            }
        } else if (in.isArray()) {
            if (out == null || !out.isArray() || out.size() != in.size()) { lost.add(path); return; }
            for (int i = 0; i < in.size(); i++) covered(in.get(i), out.get(i), path + "[" + i + "]", lost);
        } else if (!in.equals(out)
                && !(in.isNumber() && out.isNumber() && in.decimalValue().compareTo(out.decimalValue()) == 0)
                && !in.asText().equals(out.asText())) {
            lost.add(path + " (" + in + " became " + out + ")");
        }
    }

    static void walk(Object value, String path, List<String> unknown, Set<Object> seen)
            throws Exception {
        if (value == null || !seen.add(value)) return;
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) walk(item, path + "[" + i++ + "]", unknown, seen);
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) walk(e.getValue(), path + "." + e.getKey(), unknown, seen);
            return;
        }
        if (!value.getClass().getName().startsWith("io.strimzi.")) return;
        for (Method m : value.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers())) continue;
            String n = m.getName();
            if (n.equals("getAdditionalProperties")) {
                Object extra = m.invoke(value);
                if (extra instanceof Map<?, ?> map) {
                    for (Object key : map.keySet()) unknown.add(path + "." + key);
                }
                continue;
            }
            if (!(n.startsWith("get") && n.length() > 3) || n.equals("getClass")) continue;
            walk(m.invoke(value), path + "." + Character.toLowerCase(n.charAt(3)) + n.substring(4), unknown, seen);
        }
    }
}
