from indexer.cli import main

main(prog_name="policy-index")
