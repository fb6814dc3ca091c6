// Validates PDF files against a PDF/A flavour with the veraPDF library and prints one line per
// file (PASS or FAIL, then each failed rule). Run by kokuho.platform.documents.checks.verapdf:
//   java -cp "<jars>/*" Validate.java 2b file.pdf ...   (exit 1 when any file fails)
import java.io.FileInputStream;
import java.io.InputStream;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;

public class Validate {
    public static void main(String[] args) throws Exception {
        VeraGreenfieldFoundryProvider.initialise();
        PDFAFlavour flavour = PDFAFlavour.fromString(args[0]);
        int failed = 0;
        for (int i = 1; i < args.length; i++) {
            try (InputStream in = new FileInputStream(args[i]);
                 PDFAParser parser = Foundries.defaultInstance().createParser(in, flavour)) {
                PDFAValidator validator = Foundries.defaultInstance().createValidator(flavour, false);
                ValidationResult result = validator.validate(parser);
                System.out.println((result.isCompliant() ? "PASS " : "FAIL ") + flavour + " " + args[i]);
                if (!result.isCompliant()) {
                    failed++;
                    for (TestAssertion a : result.getTestAssertions()) {
                        if (a.getStatus() == TestAssertion.Status.FAILED) {
                            System.out.println("  " + a.getRuleId().getClause() + "-" + a.getRuleId().getTestNumber() + " " + a.getMessage());
                        }
                    }
                }
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
