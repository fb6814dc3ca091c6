"""Files exchanged with the prefectural federation (国保連合会, 国保総合(国保集約)システム).

The real interface specification is not public, so the formats here are our own, versioned
and modelled on the record items (data-items.md NHI-Q/NHI-O); README.md documents them. All
are UTF-8, one record per line, comma-separated, no quoting (no field may contain a comma).
One module per format (ADR 0021):

- :mod:`.records`: what they share (header, data lines, trailer, line errors, C-19 scan);
- :mod:`.insured_change`: outbound ``KKH-IDO`` v3, insured-change information (異動情報),
  with the individual number put in only as the file leaves (S3);
- :mod:`.continuation`: inbound ``KKH-SKK`` v1, daily eligibility continuation (資格継続),
  and its reconciliation with our qualifications (C-20, C-21);
- :mod:`.carry_over`: inbound ``KKH-KGK`` v1, monthly high-cost carry-over lists.

A file that breaks the format in any line is rejected whole, with each line's number and
reason, and nothing of it is applied (C-04, C-16).
"""

from kokuho.linkage_gateway.domain.federation.carry_over import (
    CARRY_OVER_FORMAT,
    CARRY_OVER_KINDS,
    CarryOverHousehold,
    CarryOverList,
    parse_carry_over_list,
)
from kokuho.linkage_gateway.domain.federation.continuation import (
    INBOUND_FORMAT,
    ContinuationDifference,
    ContinuationFile,
    ContinuationRecord,
    ContinuationStream,
    OurQualification,
    parse_continuation_file,
    reconcile_continuation,
)
from kokuho.linkage_gateway.domain.federation.insured_change import (
    CHANGE_KINDS,
    NUMBER_MASK,
    OUTBOUND_FORMAT,
    OUTBOUND_VERSION,
    InsuredChange,
    NumberMissing,
    build_insured_change_file,
    numbered_addressees,
    with_individual_numbers,
)
from kokuho.linkage_gateway.domain.federation.records import (
    INDIVIDUAL_NUMBER_IN_FILE,
    VERSION,
    FieldNotRepresentable,
    FileRejected,
    LineError,
    refuse_out_of_cycle,
)

__all__ = [
    "CARRY_OVER_FORMAT",
    "CARRY_OVER_KINDS",
    "CHANGE_KINDS",
    "INBOUND_FORMAT",
    "INDIVIDUAL_NUMBER_IN_FILE",
    "NUMBER_MASK",
    "OUTBOUND_FORMAT",
    "OUTBOUND_VERSION",
    "VERSION",
    "CarryOverHousehold",
    "CarryOverList",
    "ContinuationDifference",
    "ContinuationFile",
    "ContinuationRecord",
    "ContinuationStream",
    "FieldNotRepresentable",
    "FileRejected",
    "InsuredChange",
    "LineError",
    "NumberMissing",
    "OurQualification",
    "build_insured_change_file",
    "numbered_addressees",
    "parse_carry_over_list",
    "parse_continuation_file",
    "reconcile_continuation",
    "refuse_out_of_cycle",
    "with_individual_numbers",
]
