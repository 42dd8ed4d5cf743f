"""ipsworks return_template -o PATH"""

from django.core.management.base import BaseCommand

from ipsworks.returns.workbook import write_template


class Command(BaseCommand):
    help = "Write the blank monthly return workbook (xlsx) with instructions and dropdowns."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, metavar="PATH")

    def handle(self, *args, **options):
        write_template(options["output"])
        self.stdout.write(f"Wrote the return template to {options['output']}.")
